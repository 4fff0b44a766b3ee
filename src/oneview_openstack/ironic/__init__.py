"""The Ironic hardware type ``oneview``: power, boot, inspection, sensors, dynamic allocation.

One small module per job, in the manner of Ironic's own ``redfish`` modules: ``common`` (the
node contract), ``view`` (OneView reads cached per Ironic task), ``snapshot`` (fleet power
states), ``allocation`` (claim and release of the server), ``boot`` (boot device and mode,
deferred while the server is on), then one module per interface and ``periodics``.
"""
