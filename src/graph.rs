//! The effective assume-role graph (SPEC §2): who can assume which role.
