def test_scan_prints_summary_and_exit_codes(run_cli, tmp_path):
    tmp_path = tmp_path / "t"
    tmp_path.mkdir()
    (tmp_path / "a.txt").write_text("hello")
    (tmp_path / "l").symlink_to(tmp_path / "a.txt")
    proc = run_cli("scan", str(tmp_path))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("Scanned 1 file (5 B), 1 symlink, 1 folder in ")    # issue 18.10
    assert proc.stderr == ""                      # not a terminal: no progress line
    proc = run_cli("scan", str(tmp_path))
    assert "0 new" in proc.stdout


def test_missing_root_exits_2(run_cli, tmp_path):
    proc = run_cli("scan", str(tmp_path), str(tmp_path / "missing"))
    assert proc.returncode == 2
    assert str(tmp_path / "missing") in proc.stderr
