# Runs a command in a pseudo-terminal, waits until the terminal shows a text, then closes the
# terminal (a hang-up: what a dropped ssh session does) and reports how the command ended:
# "signal N" or "exit N", and whether the text was seen first.
#   python3 tests/cli/hang-up.py <text to wait for> <command> [args...]
import os, pty, select, sys, time

wait_for = sys.argv[1].encode()
command = sys.argv[2:]
pid, fd = pty.fork()
if pid == 0:
    os.execv(command[0], command)
shown = b''
deadline = time.time() + 15
while wait_for not in shown and time.time() < deadline:
    ready, _, _ = select.select([fd], [], [], 0.2)
    if ready:
        try:
            shown += os.read(fd, 4096)
        except OSError:
            break
os.close(fd)
_, status = os.waitpid(pid, 0)
how = f'signal {os.WTERMSIG(status)}' if os.WIFSIGNALED(status) else f'exit {os.WEXITSTATUS(status)}'
print(f'{how} seen={wait_for in shown}')
