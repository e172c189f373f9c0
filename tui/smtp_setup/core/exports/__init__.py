"""One module per tool that smtp-setup can write settings for (msmtp, git send-email, a
.env file, WordPress wp-config.php, Postfix). The public entry point is
`smtp_setup.core.export_formats`; these modules hold each tool's own rules."""
