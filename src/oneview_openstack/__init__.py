"""OpenStack integration for HPE OneView: Ironic hardware type, ML2 driver, tools and simulator."""
