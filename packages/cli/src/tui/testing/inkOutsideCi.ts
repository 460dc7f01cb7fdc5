// Runs before each TUI test file imports Ink: Ink reads CI once, at import,
// and renders no frames while it is set (it waits to print the last one).
// A component test needs the frames a person's terminal would get.
delete process.env.CI;
delete process.env.CONTINUOUS_INTEGRATION;
// Chalk (Ink's colours) decides its colour level once, from the test
// runner's stdout, which is no TTY: without this every frame is colourless
// and a test could not see a colour a person would. Tests of NO_COLOR pass
// the component's own colour switch.
process.env.FORCE_COLOR = '3';
