# Runs the official Python SDK's suite (ut/test.py of a cos-python-sdk-v5 checkout) as its CI's nose
# does: the module's setUp() once, then every test_* function in the order the file defines them, then
# tearDown(). Its own loop rather than nose gives each test a time limit and a result line of its own.
#
# Started by python-sdk-suite.mjs, which passes the emulator's ports in the environment. The suite
# names COS's own domains and ports, so getaddrinfo sends those names to the emulator (443 to its
# HTTPS port, 80 to its HTTP port); the Host header and signature stay as the suite made them.
#
# usage: python3 python-sdk-suite-driver.py <checkout> <results.jsonl>
import json
import os
import re
import signal
import socket
import sys
import time
import traceback

checkout, results_path = sys.argv[1], sys.argv[2]
https_port = int(os.environ['COS_EMULATOR_HTTPS_PORT'])
http_port = int(os.environ['COS_EMULATOR_HTTP_PORT'])
per_test_seconds = int(os.environ.get('COS_SUITE_TEST_TIMEOUT', '300'))

COS_DOMAIN = re.compile(r'(^|\.)(myqcloud\.com|tencentcos\.cn)$', re.I)
_getaddrinfo = socket.getaddrinfo


def getaddrinfo(host, port, family=0, type=0, proto=0, flags=0):
    name = host.decode() if isinstance(host, bytes) else host
    if name is None or not COS_DOMAIN.search(name):
        return _getaddrinfo(host, port, family, type, proto, flags)
    port = int(port) if port is not None else 443
    mapped = https_port if port == 443 else http_port if port == 80 else port
    return [(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, '', ('127.0.0.1', mapped))]


socket.getaddrinfo = getaddrinfo

out = open(results_path, 'w')


def record(name, outcome, seconds, error=''):
    out.write(json.dumps({'name': name, 'outcome': outcome, 'seconds': round(seconds, 2), 'error': error}) + '\n')
    out.flush()
    sys.stderr.write('.' if outcome == 'passed' else 'F')
    sys.stderr.flush()


class TestTimeout(Exception):
    pass


def on_alarm(signum, frame):
    raise TestTimeout('no result after %d s' % per_test_seconds)


signal.signal(signal.SIGALRM, on_alarm)
sys.path.insert(0, checkout)


def run(name, fn):
    start = time.time()
    signal.alarm(per_test_seconds)
    try:
        fn()
        signal.alarm(0)
        record(name, 'passed', time.time() - start)
        return True
    except BaseException as e:  # a test that calls exit() or times out is a failure, not the end of the run
        signal.alarm(0)
        last = traceback.extract_tb(e.__traceback__)[-1]
        where = '%s:%d' % (os.path.basename(last.filename), last.lineno)
        record(name, 'failed', time.time() - start, '%s: %s (%s)' % (type(e).__name__, str(e)[:600], where))
        return False


suite = {}


def load():
    import ut.test as module

    suite['module'] = module


if run('import ut/test.py', load):
    module = suite['module']
    tests = [
        (name, fn)
        for name, fn in vars(module).items()
        if name.startswith('test_') and callable(fn) and getattr(fn, '__module__', None) == module.__name__
    ]
    tests.sort(key=lambda t: t[1].__code__.co_firstlineno)
    only = [n for n in os.environ.get('COS_SUITE_ONLY', '').split(',') if n]
    if only:
        tests = [t for t in tests if t[0] in only]
    if run('setUp', module.setUp):
        for name, fn in tests:
            run(name, fn)
        run('tearDown', module.tearDown)
out.close()
sys.stderr.write('\n')
# Threads the suite started (upload pools) must not keep the process alive.
os._exit(0)
