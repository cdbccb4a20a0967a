"""A console chat on stdin/stdout that answers exactly as the bot will (as plain text)."""

import sys

from bot.render import EXAMPLES, render_text


def run_console(service, stdin=sys.stdin, stdout=sys.stdout) -> int:
    print("factbot —— 江津区经济数据问答。输入问题，回车提问；空行或 Ctrl-D 退出。", file=stdout)
    print("例如：" + " / ".join(EXAMPLES), file=stdout)
    interactive = stdin.isatty()
    while True:
        if interactive:
            print("> ", end="", file=stdout, flush=True)
        line = stdin.readline()
        if not line or (interactive and not line.strip()):
            return 0
        if not line.strip():
            continue
        print(render_text(service.answer(line.strip())) + "\n", file=stdout, flush=True)
