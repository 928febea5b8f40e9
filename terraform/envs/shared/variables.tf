# This root takes no input variables: its settings are the locals in locals.tf, so that a plan
# never depends on what someone typed or which tfvars file was picked up.
