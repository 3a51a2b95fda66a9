"""One module per karmadactl command (NAME, HELP, add_arguments, run)."""
