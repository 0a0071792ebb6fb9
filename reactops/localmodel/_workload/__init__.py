"""The workload manager: reactops' own Pebble, one daemon per container of a local unit.

The local model starts one for each container of a Kubernetes charm's unit. It serves
Pebble's HTTP API on a Unix socket (mode 0600, nothing on the network) and keeps a folder as
the container's filesystem; services, health checks and ``exec`` commands are real processes
of this machine. ``python -m reactops.localmodel._workload --root DIR`` runs one.
"""
