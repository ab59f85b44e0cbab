//! The `newsgen` command line.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use newsgen::{BuildOptions, Error};

#[derive(Parser)]
#[command(
    name = "newsgen",
    version,
    about = "Static site generator for news archives"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Build the site into its output folder (default: SITE_DIR/public).
    Build {
        /// Include articles with `draft = true`.
        #[arg(long)]
        drafts: bool,
        /// Include articles dated after the build time.
        #[arg(long)]
        future: bool,
        /// Treat every warning as an error.
        #[arg(long)]
        strict: bool,
        /// Output folder.
        #[arg(long, short)]
        output: Option<PathBuf>,
        /// Override site.toml's base_url (for previews and staging hosts).
        #[arg(long)]
        base_url: Option<String>,
        /// The site folder (holding site.toml).
        #[arg(default_value = ".")]
        site_dir: PathBuf,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Build {
            drafts,
            future,
            strict,
            output,
            base_url,
            site_dir,
        } => {
            let opts = BuildOptions {
                site_dir,
                output,
                drafts,
                future,
                strict,
                base_url,
                ..BuildOptions::default()
            };
            match newsgen::build(&opts) {
                Ok(report) => {
                    for w in &report.warnings {
                        eprintln!("{w}");
                    }
                    eprintln!(
                        "built {} articles, {} pages, {} files into {} in {} ms",
                        report.articles,
                        report.pages,
                        report.assets,
                        report.output.display(),
                        report.elapsed.as_millis()
                    );
                    ExitCode::SUCCESS
                }
                Err(e) => report_error(&e),
            }
        }
    }
}

fn report_error(e: &Error) -> ExitCode {
    eprintln!("{e}");
    ExitCode::FAILURE
}
