"""The terminal shows the answers' Markdown as text: no marks left over, styled only on a terminal."""

import io

from bot.terminal.plain import BOLD, ITALIC, QUOTE_INDENT, RESET, for_terminal, plain, styled

ANSWER = (
    "**Who Peng Dehuai was**\n"
    "> Peng Dehuai (1898-1974) was a marshal; a 2*3 grid is not a title.\n"
    "— Peng Dehuai, *Memoirs of a Chinese Marshal* (1984); Yang Jisheng, “An article” (2008)\n"
    "\n"
    "⚖️ **Disputed figure — How many died?**\n"
    "• **45 million** — Frank Dikötter (2010)"
)


def test_plain_text_has_no_markdown_left():
    text = plain(ANSWER)
    assert "**" not in text and "*Memoirs" not in text and "\n>" not in text and not text.startswith(">")
    lines = text.splitlines()
    assert lines[0] == "Who Peng Dehuai was"
    assert lines[1] == QUOTE_INDENT + "Peng Dehuai (1898-1974) was a marshal; a 2*3 grid is not a title."
    assert lines[2] == "— Peng Dehuai, Memoirs of a Chinese Marshal (1984); Yang Jisheng, “An article” (2008)"
    assert lines[4] == "⚖️ Disputed figure — How many died?"
    assert lines[5] == "• 45 million — Frank Dikötter (2010)"


def test_styled_text_is_bold_and_italic_in_place_of_the_marks():
    text = plain(ANSWER, style=True)
    assert text.splitlines()[0] == f"{BOLD}Who Peng Dehuai was{RESET}"
    assert f"{ITALIC}Memoirs of a Chinese Marshal{RESET}" in text
    assert "*" not in text.replace("2*3", "")


class Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_style_only_on_a_terminal_that_takes_colour(monkeypatch):
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm")
    assert styled(Tty()) and not styled(io.StringIO())
    assert BOLD in for_terminal("**x**", Tty()) and for_terminal("**x**", io.StringIO()) == "x"
    monkeypatch.setenv("NO_COLOR", "1")
    assert not styled(Tty()) and for_terminal("**x**", Tty()) == "x"
