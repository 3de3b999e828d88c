"""``python -m geo`` is the ``conflictmap`` command."""

from geo.cli import main

main(prog_name="conflictmap")
