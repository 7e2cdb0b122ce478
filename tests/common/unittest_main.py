"""unittest_main.py: unittest.main for the Python tests that skip with reasons: each skip's
reason printed as "skipped: REASON" (scripts/test.sh repeats those), and the 'skipped' exit
status (77, CTest's SKIP_RETURN_CODE) when every test skipped."""
import sys
import unittest

SKIPPED = 77


def main():
    result = unittest.main(exit=False).result
    for reason in sorted({reason for _, reason in result.skipped}):
        print("skipped: " + reason)
    if not result.wasSuccessful():
        sys.exit(1)
    if result.skipped and len(result.skipped) == result.testsRun:
        sys.exit(SKIPPED)
