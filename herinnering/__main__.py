from herinnering.cli import main

raise SystemExit(main())
