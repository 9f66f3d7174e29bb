"""Users' own accounts: their page, logging out of every device, two-step login for admins."""
