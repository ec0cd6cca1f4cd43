"""``python -m iclverify`` is the ``icl-verify`` command."""

from iclverify.cli import main

raise SystemExit(main())
