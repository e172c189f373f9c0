"""One module per program that smtp-setup can write settings for (msmtp, git send-email,
Django's .env, WordPress, Postfix, Laravel, nodemailer, PHPMailer, Rails, swaks, curl,
neomutt, s-nail, nullmailer, dma, Gitea/Forgejo, Grafana, GitLab, Nextcloud, Alertmanager,
Mastodon), plus what several share: values.py (errors, checks, password sources),
env_files.py, go_ini.py, shell_commands.py, postfix_fallback.py. The public entry point is
`formats` (the registry: every format, its file and `render_export`).

May import: `core.profiles`. Never the app or the command line."""
