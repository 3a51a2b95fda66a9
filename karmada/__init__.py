"""Shared code of the Karmada components: generated API stubs and the client machinery."""
