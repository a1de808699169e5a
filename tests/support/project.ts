import { join } from "node:path";
import { PROJECT_DIR } from "../../components/stack-config.ts";

export const VENV_PYTHON = join(PROJECT_DIR, ".venv", "bin", "python");
export const FAKE_MODAL_DIR = join(PROJECT_DIR, "tests", "support", "fake-modal");
