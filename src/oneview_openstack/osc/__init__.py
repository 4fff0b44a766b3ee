"""``openstack baremetal oneview ...``: the openstackclient plugin (python-ironicclient's conventions)."""
