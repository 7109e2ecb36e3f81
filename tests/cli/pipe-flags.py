# Runs a command with its stdout and stderr on a pipe this process keeps (as a shell or a CI
# runner shares its own), sends it a signal once it has started, and reports how it ended and
# whether it left the pipe non-blocking (O_NONBLOCK) for the others that write to it.
#   python3 tests/cli/pipe-flags.py <SIGNAL> <seconds to wait> <command> [args...]
import fcntl, os, signal, subprocess, sys, time

sig = getattr(signal, sys.argv[1])
wait = float(sys.argv[2])
read_end, write_end = os.pipe()
child = subprocess.Popen(sys.argv[3:], stdin=subprocess.DEVNULL, stdout=write_end, stderr=write_end)
time.sleep(wait)
child.send_signal(sig)
child.wait()
nonblocking = bool(fcntl.fcntl(write_end, fcntl.F_GETFL) & os.O_NONBLOCK)
print(f'returncode={child.returncode} nonblocking={nonblocking}')
