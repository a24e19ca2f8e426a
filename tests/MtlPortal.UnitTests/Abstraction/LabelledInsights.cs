namespace MtlPortal.UnitTests.Abstraction;

/// <summary>
/// A labelled set of insights, written for calibrating the abstraction score: each is a title, a one-sentence
/// description and one to three sentences of content, in the style of the Memory Transfer Learning paper's
/// insights. <see cref="Clean"/> ones state procedure that holds in any project; <see cref="Leaking"/> ones are
/// the same kind of advice with one or more things that tie them to their source: a file path, a code
/// identifier, a literal value, a benchmark or repository name, a URL, a command-line option, pasted code.
/// </summary>
public static class LabelledInsights
{
    /// <summary>The pool's source domains and repositories, as the portal passes them to the linter.</summary>
    public static readonly string[] KnownDomains = ["django", "sympy", "Home Assistant", "intercode-bash", "scikit-learn"];

    public static TheoryData<string, string, string> Clean => new()
    {
        { "Reproduce before you fix", "Confirm the reported failure with a minimal reproduction before changing any code.", "Write the smallest script or test that shows the behaviour. Run it before and after the change, so the fix is proven rather than assumed." },
        { "Let the project's own checks decide", "Run the checks the project already has before declaring a task done.", "Find how the project tests itself and run exactly that. A change that passes your own ad-hoc check can still break the suite." },
        { "Read the whole error output", "The first line of an error is often not its cause.", "Read error output from the bottom up and find the first frame in the project's own code. Fix the cause you find there rather than the symptom at the top." },
        { "Adapt to the environment", "Check which tools the environment provides before relying on them.", "Before running a command, confirm the tool is installed and note its version. If it is missing, look for an equivalent that is already available instead of installing new dependencies." },
        { "Keep changes minimal", "Change only what the task requires.", "Keep each edit as small as the task allows, so that a failing test points at one cause. Leave unrelated code, formatting and names as they are." },
        { "Iterate in small steps", "Alternate between a small edit and a quick check.", "After each edit, run the fastest check that could catch a mistake. Widen to the full test suite only once the narrow check passes." },
        { "Explore before editing", "Locate the relevant code before changing anything.", "Search the repository for where the behaviour is implemented and where it is tested. Read the surrounding code to learn the project's conventions before editing." },
        { "Make the test fail first", "Check that a new test fails without your change.", "A passing test only proves something if it fails on the old code. Run it against the unchanged code once, then against your fix." },
        { "Tell flaky failures from real ones", "Rerun an intermittent failure before acting on it.", "When a check fails only sometimes, rerun it a few times and compare the output. Look at timing and shared state when the failure does not repeat the same way." },
        { "Revise the plan when evidence disagrees", "Keep a short plan and change it when an observation contradicts it.", "Start with a plan: reproduce, locate, fix, verify. When a result surprises you, update the plan instead of pushing on with the old one." },
        { "Use the project's documented commands", "Build and test the way the project documents.", "Look for the commands in the project's readme, scripts or task runner and use them as they are. They encode setup steps you would otherwise have to rediscover." },
        { "Change approach after repeated failures", "Stop repeating a fix that has failed twice.", "If the same approach fails two or three times, step back and re-read the error output. A different hypothesis usually beats another attempt at the same one." },
        { "Handle the edge cases the examples skip", "Test empty, single-element and extreme inputs as well as the given examples.", "Examples in a task description rarely cover the boundaries. Add checks for empty input, one element, duplicates and very large values before you submit." },
        { "Match the expected output exactly", "Compare your output with the expected format character by character.", "Graders often compare text exactly, so whitespace, ordering and trailing newlines matter. Print the output you produce and compare it with the specification before you finish." },
        { "Restate the contract first", "Write down inputs, outputs and constraints before coding a function.", "Turn the task description into a short contract and one assertion per example. Implement against those assertions rather than against your memory of the text." },
        { "Inspect data before transforming it", "Look at a sample of the data before writing code that changes it.", "Print a few records and the shape of the data first. Assumptions about types, missing values and ordering are the commonest source of silent errors." },
        { "Prefer reading code over guessing its behaviour", "Open the implementation instead of assuming what a helper does.", "When a function's name suggests what it does, still read its body and its tests. Names drift from behaviour as code evolves." },
        { "Keep the environment unchanged", "Avoid global changes to the machine while solving a task.", "Install nothing system-wide and change no global configuration unless the task asks for it. Work inside the project so the result can be reproduced elsewhere." },
        { "Verify the final state, not the last command", "Check the result the task asks for after your last step.", "A command that exits without an error has not necessarily done the job. Inspect the files, output or state the task describes before declaring success." },
        { "Search for similar code", "Look for code that already solves a similar problem in the project.", "Projects often contain a near-identical case elsewhere. Reuse its approach and conventions instead of inventing a new one." },
        { "Isolate the failing part", "Narrow a failure down to the smallest part that still fails.", "Remove or stub parts of the input and the code until the failure disappears, then put back the last piece. The piece that brings the failure back is where to look." },
        { "Check assumptions about versions", "Do not assume the newest behaviour of a library or tool.", "Behaviour differs between releases, so find out which release the project uses. Read the documentation for that release rather than the latest one." },
        { "Leave the code better tested", "Add a regression test for every bug you fix.", "A fix without a test can silently come back. Write the test that reproduces the bug and keep it in the suite." },
        { "Write down what you tried", "Keep short notes of attempts and their results.", "When a task takes many steps, note each hypothesis and what disproved it. The notes stop you from retrying ideas that already failed." },
        { "Respect the interface", "Keep public signatures unchanged unless the task requires otherwise.", "Callers and hidden tests depend on the existing interface. Change the implementation behind it, not the names, parameters or return types." },
        { "Time-box exploration", "Limit how long you explore before you try a first change.", "Exploring forever is as costly as editing blindly. After a short look around, make a small, reversible change and learn from its result." },
        { "Read the task twice", "Reread the task description after drafting a solution.", "Details such as the required output format, the allowed tools or a forbidden shortcut are easy to miss on the first read. Check each requirement against your solution before finishing." },
        { "Prefer simple solutions", "Choose the simplest approach that meets every requirement.", "A short, direct solution is easier to check and less likely to hide mistakes. Optimise only when a requirement or a measurement calls for it." },
        { "Clean up after experiments", "Remove temporary files and debugging output before finishing.", "Leftover prints, scratch scripts and commented-out code can break checks or confuse reviewers. Review your changes as a whole before you submit." },
        { "Understand a failure before suppressing it", "Do not silence a warning or error you have not understood.", "Suppressing a failure hides its cause and often moves it somewhere harder to find. Find out why it happens first, then fix the cause." },
        { "Check permissions and paths when a command fails", "Consider the working directory and access rights when a command cannot find or open something.", "Many failures come from running in the wrong folder or without the right permissions. Print where you are and what you may access before changing code." },
        { "Work with the shell's output, not against it", "Parse command output with the tools made for it.", "When you need part of a command's output, prefer the command's own options for selecting fields. Fragile text slicing breaks when the output format changes slightly." },
    };

    public static TheoryData<string, string, string> Leaking => new()
    {
        // File paths
        { "Reproduce before you fix", "Confirm the failure before changing django/db/models/query.py.", "Write the smallest test that shows the behaviour. Run it before and after the change." },
        { "Check the settings file", "Look at the configuration before debugging.", "Open config/settings.yaml first and check which backend is enabled. Most failures come from a wrong value there." },
        { "Start from the test file", "Read the tests before the implementation.", "The tests in tests/test_models.py show the expected behaviour. Read them before editing the model." },
        { "Fix the import", "A missing import is the usual cause.", "Add the missing import at the top of utils.py and rerun the tests." },
        { "Use the project's runner", "Run the tests the way the project does.", "Run ./run_tests.sh from the repository root instead of calling the test tool directly." },
        { "Check the environment file", "Missing variables break start-up.", "Copy the example environment into .env before starting the service. Without it the service exits at once." },
        { "Look in the log folder", "Logs explain silent failures.", "Read /var/log/app/error.log after each failed start. The last lines name the missing setting." },
        // Identifiers
        { "Call the right helper", "Parsing dates by hand is error-prone.", "Use parse_datetime instead of splitting the string yourself. It handles time zones correctly." },
        { "Fetch lazily", "Loading everything at once is slow.", "Call getUserById only when the record is needed. Cache its result for the rest of the request." },
        { "Close what you open", "Leaked handles cause flaky tests.", "Wrap the stream in a using block and dispose the HttpClient when the test ends." },
        { "Use the standard path helper", "Building paths by hand breaks on some systems.", "Join path parts with os.path.join instead of concatenating strings. It picks the right separator." },
        { "Mind the result cache", "A stale cache hides your change.", "Reset self._result_cache after changing the query, or the old rows are returned." },
        { "Set the search path", "Imports fail when the project root is not on the path.", "Set PYTHONPATH=. before running the tests from the repository root." },
        { "Stop at the first failure", "Long test runs waste time while debugging.", "Run the test tool with -x so it stops at the first failing test. Fix that one before looking at the rest." },
        { "Use the sympy simplifier", "Simplify before comparing expressions.", "Call simplify() on both sides before comparing them. Expressions that look different are often equal." },
        // Literals
        { "Check the port", "The service may not listen where you expect.", "The service listens on port 8080 by default; check it is free before starting." },
        { "Use the right encoding", "Files may not be in the default encoding.", "Open the file with \"utf-8\" explicitly. Reading it with the platform default corrupts non-ASCII names." },
        { "Pin the interpreter", "Behaviour changes between interpreter releases.", "The project needs Python 3.11; older interpreters fail on the new syntax." },
        { "Raise the timeout", "Slow machines hit the default limit.", "Set the timeout to 300 seconds when the suite runs on a shared machine." },
        { "Check the status code", "A failed request can still return a body.", "Treat a 404 from the service as a missing record, not as an error. Retry only on server errors." },
        { "Match the constant", "The check compares against a fixed value.", "The validator expects the flag 'ENABLE_CACHE' to be set; without it the cache is skipped." },
        { "Limit memory use", "Large inputs exhaust memory.", "Process the input in chunks of 10MB so memory stays bounded." },
        // Benchmark and repository names
        { "Reproduce first on SWE-bench", "Confirm the reported failure before changing any code.", "On SWE-bench tasks, write the smallest test that shows the failure. Run it before and after the change." },
        { "Examples are not enough", "Test inputs beyond the given examples.", "HumanEval prompts rarely cover empty input. Add checks for it before you submit." },
        { "Read the docstring", "The docstring states the contract.", "In MBPP problems the assertions show the expected output format. Match it exactly." },
        { "Know the model layer", "Most bugs live in the query code.", "In django, most ORM bugs come from how querysets are combined. Read the combinators before editing." },
        { "Check the integration's setup", "Integrations fail when their setup is skipped.", "In Home Assistant, each integration registers itself at start-up. Check that registration ran before debugging the entity." },
        { "Use the shell's tools", "Shell tasks reward the right utility.", "For intercode-bash tasks, prefer find and xargs over loops. They handle odd file names." },
        // URLs, inline code, pasted code and traces
        { "Read the upstream ticket", "The ticket explains the intended behaviour.", "Read https://code.djangoproject.com/ticket/12345 before changing the behaviour it describes." },
        { "Use the documented command", "Run the tests the way the project documents.", "Run `pytest -q` from the repository root instead of the bare test tool." },
        { "Guard against missing values", "Missing values crash the parser.", "Check for missing values first:\n```\nif value is None:\n    return default\n```" },
        { "Read the traceback", "The last frame names the cause.", "Read the trace from the bottom:\nTraceback (most recent call last):\n  File \"app.py\", line 3, in <module>\nKeyError: 'user'" },
        // Several leaks at once, as the walkthrough found them
        { "Fix the query", "Patch the ORM before returning results.", "Edit django/db/models/query.py and call QuerySet._fetch_all() before returning. Then rerun the query tests." },
        { "Fix the parser", "The parser drops the last token.", "In src/parser.py, make parse_tokens keep the final element of token_list. The tests then pass." },
    };
}
