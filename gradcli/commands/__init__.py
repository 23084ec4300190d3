"""One module per command; gradcli.cli.COMMANDS maps names to them."""
