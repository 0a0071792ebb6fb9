"""``python -m reactops.localmodel._workload --root DIR``: run one workload manager."""

from ._daemon import main

raise SystemExit(main())
