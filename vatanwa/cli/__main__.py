"""``python -m vatanwa.cli``: the ``vatanwa`` command."""

from vatanwa.cli import main

main()
