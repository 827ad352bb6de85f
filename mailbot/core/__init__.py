"""The pure core: parsing, understanding and deciding over plain values.

Nothing under this package performs I/O, reads the clock or the environment;
the shell (service.py and the adapters) hands it values and carries out what
it returns.
"""
