"""`python -m wizard_desktop`: the same arguments as the `wizard-desktop` command."""

import sys

from wizard_desktop.app import main

sys.exit(main())
