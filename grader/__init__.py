"""The course's grading command: parallel, sandboxed autograding on top of nbgrader (python -m grader)."""
