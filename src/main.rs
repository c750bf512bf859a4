use std::process::ExitCode;

fn main() -> ExitCode {
    yunying::cli::main()
}
