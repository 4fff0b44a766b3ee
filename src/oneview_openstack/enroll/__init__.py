"""Enrollment: OneView inventory -> Ironic nodes, ports and resource classes (``enroll``)."""
