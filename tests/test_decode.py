from __future__ import annotations

import codecs

from monitor.fetch.decode import decode

JA = "<html><body><p>令和8年2月11日、日米安全保障協議委員会（「２＋２」）を開催。</p></body></html>"


def test_undeclared_shift_jis_and_euc_jp_are_detected() -> None:
    assert decode(JA.encode("cp932")) == (JA, "cp932")
    text, codec = decode(JA.encode("euc_jp"))
    assert text == JA and codec.startswith("euc")


def test_declared_charsets_in_header_and_meta() -> None:
    body = '<meta http-equiv="Content-Type" content="text/html; charset=Shift_JIS">' + JA
    assert decode(body.encode("cp932"))[0] == body
    assert decode(JA.encode("cp932"), "text/html; charset=Shift_JIS") == (JA, "cp932")
    assert decode(JA.encode("euc_jp"), "text/html; charset=EUC-JP")[0] == JA


def test_a_wrong_declared_charset_is_not_trusted() -> None:
    assert decode(JA.encode("cp932"), "text/html; charset=utf-8")[0] == JA
    body = '<meta charset="utf-8">' + JA
    assert decode(body.encode("cp932"))[0] == body


def test_bom_wins_and_is_stripped() -> None:
    assert decode(codecs.BOM_UTF8 + JA.encode("utf-8"), "text/html; charset=cp932") == (JA, "utf-8")


def test_invalid_bytes_never_raise() -> None:
    text, _ = decode(b"<p>caf\xe9 \xff\xfe\x00 ok</p>")
    assert "ok" in text
