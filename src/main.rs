//! The `newsgen` command line.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

/// Rendering allocates many small strings and maps on every core; mimalloc handles that
/// pattern with far less time in the allocator than the system malloc.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

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

/// Which articles a build publishes beyond the default (the same for build, check, serve).
#[derive(Args, Clone, Copy)]
struct Include {
    /// Include articles with `draft = true`.
    #[arg(long)]
    drafts: bool,
    /// Include articles dated after the build time.
    #[arg(long)]
    future: bool,
}

#[derive(Subcommand)]
enum Command {
    /// Build the site into its output folder (default: SITE_DIR/public).
    Build {
        #[command(flatten)]
        include: Include,
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
    /// Validate content, templates and internal links; build nothing. Broken links are errors.
    Check {
        #[command(flatten)]
        include: Include,
        /// Treat every warning as an error.
        #[arg(long)]
        strict: bool,
        /// The site folder (holding site.toml).
        #[arg(default_value = ".")]
        site_dir: PathBuf,
    },
    /// Write a new article file dated now: content/SECTION/YYYY-MM-DD-headline.md.
    New {
        /// The headline.
        headline: String,
        /// The section (first folder below content/).
        #[arg(long, short)]
        section: String,
        /// The site folder (holding site.toml).
        #[arg(long, default_value = ".")]
        site_dir: PathBuf,
    },
    /// Create a new site with sample content in DIR.
    Init {
        /// The new site's folder (must not exist or be empty).
        dir: PathBuf,
    },
    /// Build the site and serve it locally; with --watch, rebuild and reload on every edit.
    Serve {
        /// Rebuild on changes to content/, themes/, static/ and site.toml, and reload open pages.
        #[arg(long)]
        watch: bool,
        /// Port to listen on (the next free one when taken; 0: any free port).
        #[arg(long, default_value_t = 1111)]
        port: u16,
        /// Address to listen on (nothing else is listened on).
        #[arg(long, default_value = "127.0.0.1")]
        bind: std::net::IpAddr,
        #[command(flatten)]
        include: Include,
        /// The site folder (holding site.toml).
        #[arg(default_value = ".")]
        site_dir: PathBuf,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Build {
            include,
            strict,
            output,
            base_url,
            site_dir,
        } => {
            let opts = BuildOptions {
                site_dir,
                output,
                drafts: include.drafts,
                future: include.future,
                strict,
                base_url,
                ..BuildOptions::default()
            };
            match newsgen::build(&opts) {
                Ok(report) => {
                    newsgen::commands::print_diagnostics(&report.warnings);
                    eprintln!(
                        "built {} articles, {} pages, {} files into {} in {} ms",
                        report.articles,
                        report.pages,
                        report.assets,
                        report.output.display(),
                        report.elapsed.as_millis()
                    );
                    let images = report.images;
                    if images.sources > 0 {
                        eprintln!(
                            "images: {} sources, {} files encoded, {} from the cache",
                            images.sources,
                            images.encoded,
                            images.published.saturating_sub(images.encoded)
                        );
                    }
                    ExitCode::SUCCESS
                }
                Err(e) => report_error(&e),
            }
        }
        Command::Check {
            include,
            strict,
            site_dir,
        } => {
            let opts = BuildOptions {
                site_dir,
                drafts: include.drafts,
                future: include.future,
                strict,
                ..BuildOptions::default()
            };
            match newsgen::commands::check(&opts) {
                Ok(report) => {
                    newsgen::commands::print_diagnostics(&report.warnings);
                    eprintln!(
                        "checked {} articles and {} pages: no errors",
                        report.articles, report.pages
                    );
                    ExitCode::SUCCESS
                }
                Err(e) => report_error(&e),
            }
        }
        Command::New {
            headline,
            section,
            site_dir,
        } => match newsgen::commands::new_article(&site_dir, &headline, &section) {
            Ok(path) => {
                println!("{}", path.display());
                ExitCode::SUCCESS
            }
            Err(e) => report_error(&e),
        },
        Command::Init { dir } => match newsgen::commands::init(&dir) {
            Ok(()) => {
                eprintln!(
                    "created a new site in {}: cd there and run `newsgen serve --watch`",
                    dir.display()
                );
                ExitCode::SUCCESS
            }
            Err(e) => report_error(&e),
        },
        Command::Serve {
            watch,
            port,
            bind,
            include,
            site_dir,
        } => {
            let opts = newsgen::serve::ServeOptions {
                site_dir,
                port,
                bind,
                watch,
                drafts: include.drafts,
                future: include.future,
            };
            match newsgen::serve::run(opts) {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => report_error(&e),
            }
        }
    }
}

fn report_error(e: &Error) -> ExitCode {
    eprintln!("{e}");
    ExitCode::FAILURE
}
