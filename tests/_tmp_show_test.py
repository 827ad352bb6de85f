from test_cli_errors import config_runs, imap_runs  # noqa
def test_show(config_runs, imap_runs):
    for k, v in {**config_runs, **imap_runs}.items():
        print(k, v.returncode, repr(v.stderr))
