"""The one-command sandbox: simulator + real Ironic + real Neutron + a deploy scenario.

The sandbox may import the simulator (product code never does); it speaks to OneView through the
product's client like any other tool.
"""
