/**
 * The coverage error of a configured source that `kontokoll audit --sources` left out. Reports
 * show it in the report's language (message `sourceNotSelected`), never as a failure.
 */
export const NOT_SELECTED = "not run (not selected)";
