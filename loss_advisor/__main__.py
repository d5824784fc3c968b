from loss_advisor.cli import main

raise SystemExit(main())
