use std::process::ExitCode;

fn main() -> ExitCode {
    serialtrace_server::cli::main()
}
