"""The frozen bundle's entry point: the same ``paperdesk`` command line as a pip install, GUI by default."""

import multiprocessing
import sys

from paperdesk.cli import main

if __name__ == "__main__":
    # Imports parse big files in worker processes; a frozen Windows or macOS build must let those children
    # run the worker instead of starting a second Paperdesk.
    multiprocessing.freeze_support()
    sys.exit(main())
