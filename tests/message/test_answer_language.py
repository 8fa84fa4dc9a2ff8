"""An answer whose subject is written in another script than the language asked is unusable
(small models drift into Chinese), while names, code and quoted text never count against it."""

from __future__ import annotations

import pytest

from commit_polish.message.repair import unusable_reason

CHINESE = "修复连接重置时上传失败的问题\n\n上传器在第一次重置时就放弃了。"


@pytest.mark.parametrize(
    ("answer", "language", "reason"),
    [
        (CHINESE, "English", "written in CJK script, not English"),
        ("Исправить повторную отправку при сбросе", "English", "Cyrillic script, not English"),
        ("Fix upload retries in uploader.py", "Japanese", "Latin script, not Japanese"),
        ("Corrige les tentatives de téléversement", "English (US)", None),
        ("Fix the retry for 北京 users in upload.py", "English", None),
        ("uploader.py のリトライを修正", "Japanese", None),
        ("Corrige les tentatives de téléversement", "French", None),
        (CHINESE, "Chinese (simplified)", None),
        ("Fix upload retries in uploader.py", "Klingon", None),  # unknown: not judged
        ("Fix upload retries in uploader.py", "", None),
        ("Add the Chinese strings\n\n设置 保存 取消 确定 打开 关闭 删除 编辑", "English", None),
    ],
)
def test_the_script_of_the_answer_is_judged(answer: str, language: str, reason: str | None) -> None:
    found = unusable_reason(answer, (), language)
    assert (found is None) == (reason is None), found
    assert reason is None or (found is not None and reason in found)
