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

/// What every `import` source takes.
#[derive(Args)]
struct ImportArgs {
    /// Send articles of an old section or category to another section (repeatable).
    #[arg(long = "section-map", value_name = "OLD=NEW", value_parser = newsgen::import::sections::parse_pair)]
    section_map: Vec<(String, String)>,
    /// The newsgen site to import into (a site.toml is made when it has none).
    #[arg(default_value = ".")]
    site_dir: PathBuf,
}

/// The systems `newsgen import` reads.
#[derive(Subcommand)]
enum ImportFrom {
    /// A WordPress export (Tools › Export, a WXR .xml file).
    Wordpress {
        /// The export file.
        export: PathBuf,
        /// WordPress's wp-content/uploads folder: images are copied into article bundles.
        #[arg(long)]
        uploads: Option<PathBuf>,
        #[command(flatten)]
        args: ImportArgs,
    },
    /// A Jekyll site (its _posts/ and _config.yml).
    Jekyll {
        /// The Jekyll site's folder.
        source: PathBuf,
        #[command(flatten)]
        args: ImportArgs,
    },
    /// A Hugo site (its content/ and hugo.toml or config.*).
    Hugo {
        /// The Hugo site's folder.
        source: PathBuf,
        #[command(flatten)]
        args: ImportArgs,
    },
    /// A Zola site (its content/ and config.toml).
    Zola {
        /// The Zola site's folder.
        source: PathBuf,
        #[command(flatten)]
        args: ImportArgs,
    },
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
    /// Bring an archive in from WordPress, Jekyll, Hugo or Zola; old URLs become aliases.
    Import {
        #[command(subcommand)]
        from: ImportFrom,
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
        Command::Import { from } => import(from),
    }
}

fn import(from: ImportFrom) -> ExitCode {
    use newsgen::import::{ImportOptions, SourceKind};
    let (kind, source, uploads, args) = match from {
        ImportFrom::Wordpress {
            export,
            uploads,
            args,
        } => (SourceKind::Wordpress, export, uploads, args),
        ImportFrom::Jekyll { source, args } => (SourceKind::Jekyll, source, None, args),
        ImportFrom::Hugo { source, args } => (SourceKind::Hugo, source, None, args),
        ImportFrom::Zola { source, args } => (SourceKind::Zola, source, None, args),
    };
    let opts = ImportOptions {
        kind,
        source,
        site_dir: args.site_dir,
        uploads,
        section_map: args.section_map,
    };
    match newsgen::import::run(&opts) {
        Ok(report) => {
            print!("{report}");
            ExitCode::SUCCESS
        }
        Err(Error::Site(diags)) => {
            newsgen::commands::print_diagnostics(&diags);
            eprintln!("import stopped: nothing was written");
            ExitCode::FAILURE
        }
        Err(e) => report_error(&e),
    }
}

fn report_error(e: &Error) -> ExitCode {
    eprintln!("{e}");
    ExitCode::FAILURE
}
