audit_account = "444455556666"
