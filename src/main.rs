//! The `newsgen` command line.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, CommandFactory, Parser, Subcommand, ValueEnum};

/// Rendering allocates many small strings and maps on every core; mimalloc handles that
/// pattern with far less time in the allocator than the system malloc.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use newsgen::commands::{ListKind, plural};
use newsgen::model::BuildFlags;
use newsgen::{BuildOptions, BuildReport, Error};

/// Turns transparent huge pages off for this process. mimalloc asks for them on its arenas,
/// and the kernel then zeroes a whole 2 MiB page at the first touch of any byte of it, again
/// after each purge: that was two thirds of the system time of a one-article rebuild at
/// 50,000 articles (docs/benchmarks.md, "Rebuilds that follow the size of the change").
fn no_huge_pages() {
    #[cfg(target_os = "linux")]
    // SAFETY: prctl with PR_SET_THP_DISABLE takes integer arguments only and touches no
    // memory of ours; a failure leaves THP as it was, which is only slower.
    unsafe {
        libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
    }
}

#[derive(Parser)]
#[command(
    name = "newsgen",
    version,
    about = "Static site generator for news archives"
)]
struct Cli {
    /// Print errors only: no warnings, no summary line.
    #[arg(long, short, global = true, conflicts_with = "verbose")]
    quiet: bool,
    /// Also print phase timings and the files a build left out.
    #[arg(long, short, global = true)]
    verbose: bool,
    #[command(subcommand)]
    command: Command,
}

/// How much `build`, `check`, `new` and `list` print besides errors.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Verbosity {
    Quiet,
    Normal,
    Verbose,
}

/// What `newsgen list` prints.
#[derive(Clone, Copy, ValueEnum)]
enum ListWhat {
    /// Articles with `draft = true`.
    Drafts,
    /// Articles dated after now (published by the first build after their date).
    Scheduled,
    /// Articles whose `expires` time has passed (left out of builds).
    Expired,
}

#[derive(Subcommand)]
enum ThemeCommand {
    /// Copy the built-in theme into themes/NAME/ to start editing it.
    Copy {
        /// The new theme folder's name; `default` overrides the built-in theme file by file.
        #[arg(default_value = "default")]
        name: String,
        /// The site folder (holding site.toml).
        #[arg(long, default_value = ".")]
        site_dir: PathBuf,
    },
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
        include: BuildFlags,
        /// Treat every warning as an error.
        #[arg(long)]
        strict: bool,
        /// Output folder.
        #[arg(long, short)]
        output: Option<PathBuf>,
        /// Override site.toml's base_url (for previews and staging hosts).
        #[arg(long)]
        base_url: Option<String>,
        /// Render every page again and compare every file with the output on disk (the build
        /// cache beside the output is not trusted).
        #[arg(long)]
        no_cache: bool,
        /// Replace an output folder that holds files newsgen did not write.
        #[arg(long)]
        force: bool,
        /// The site folder (holding site.toml).
        #[arg(default_value = ".")]
        site_dir: PathBuf,
    },
    /// Validate content, templates and internal links; build nothing. Broken links are errors.
    Check {
        #[command(flatten)]
        include: BuildFlags,
        /// Treat every warning as an error.
        #[arg(long)]
        strict: bool,
        /// The site folder (holding site.toml).
        #[arg(default_value = ".")]
        site_dir: PathBuf,
    },
    /// Write a new draft article dated now: content/SECTION/YYYY-MM-DD-headline.md.
    New {
        /// The headline.
        headline: String,
        /// The section (first folder below content/).
        #[arg(long, short)]
        section: String,
        /// Publish at the next build (no `draft = true`).
        #[arg(long)]
        publish: bool,
        /// Make a bundle folder (…/YYYY-MM-DD-headline/index.md) to put pictures beside.
        #[arg(long)]
        bundle: bool,
        /// A section that site.toml does not list is an error.
        #[arg(long)]
        strict: bool,
        /// The site folder (holding site.toml).
        #[arg(long, default_value = ".")]
        site_dir: PathBuf,
    },
    /// List the drafts, the scheduled (future) or the expired articles with their files.
    List {
        what: ListWhat,
        /// The site folder (holding site.toml).
        #[arg(default_value = ".")]
        site_dir: PathBuf,
    },
    /// Create a new site with sample content in DIR.
    Init {
        /// The new site's folder (must not exist or be empty).
        dir: PathBuf,
    },
    /// Build the site, serve it locally, and rebuild and reload on every edit.
    Serve {
        /// Watch for changes (the default; kept for older scripts).
        #[arg(long, conflicts_with = "no_watch")]
        watch: bool,
        /// Do not watch: serve one build.
        #[arg(long)]
        no_watch: bool,
        /// Open the site in the web browser once it is served.
        #[arg(long)]
        open: bool,
        /// Port to listen on (the next free one when taken; 0: any free port).
        #[arg(long, short, default_value_t = 1111)]
        port: u16,
        /// Address to listen on (nothing else is listened on).
        #[arg(long, default_value = "127.0.0.1")]
        bind: std::net::IpAddr,
        #[command(flatten)]
        include: BuildFlags,
        /// The site folder (holding site.toml).
        #[arg(default_value = ".")]
        site_dir: PathBuf,
    },
    /// Print a shell completion script (e.g. `newsgen completions bash > newsgen.bash`).
    Completions { shell: clap_complete::Shell },
    /// Work with themes.
    #[command(subcommand)]
    Theme(ThemeCommand),
    /// Bring an archive in from WordPress, Jekyll, Hugo or Zola; old URLs become aliases.
    Import {
        #[command(subcommand)]
        from: ImportFrom,
    },
}

fn main() -> ExitCode {
    no_huge_pages();
    let cli = Cli::parse();
    let verbosity = match (cli.quiet, cli.verbose) {
        (true, _) => Verbosity::Quiet,
        (_, true) => Verbosity::Verbose,
        _ => Verbosity::Normal,
    };
    if verbosity == Verbosity::Verbose {
        newsgen::build::VERBOSE.store(true, std::sync::atomic::Ordering::Relaxed);
    }
    match cli.command {
        Command::Build {
            include,
            strict,
            output,
            base_url,
            no_cache,
            force,
            site_dir,
        } => {
            let opts = BuildOptions {
                site_dir,
                output,
                flags: include,
                strict,
                base_url,
                no_cache,
                force,
                ..BuildOptions::default()
            };
            match newsgen::build(&opts) {
                Ok(report) => {
                    summarise(&report, verbosity, |left| {
                        format!(
                            "built {} articles{left}, {} pages ({} rendered), {} files copied \
                             into {} in {} ms: {} files written, {} unchanged, {} removed",
                            report.articles,
                            report.pages,
                            report.rendered,
                            report.assets,
                            report.output.display(),
                            report.elapsed.as_millis(),
                            report.files.written,
                            report.files.unchanged,
                            report.files.removed
                        )
                    });
                    let images = report.images;
                    if images.published > 0 && verbosity != Verbosity::Quiet {
                        eprintln!(
                            "images: {} sources read, {} files encoded, {} files published",
                            images.sources, images.encoded, images.published
                        );
                    }
                    ExitCode::SUCCESS
                }
                Err(e) => report_error(&e, "build"),
            }
        }
        Command::Check {
            include,
            strict,
            site_dir,
        } => {
            let opts = BuildOptions {
                site_dir,
                flags: include,
                strict,
                ..BuildOptions::default()
            };
            match newsgen::commands::check(&opts) {
                Ok(report) => {
                    let warnings = plural(report.warnings.len(), "warning", "warnings");
                    summarise(&report, verbosity, |left| {
                        format!(
                            "checked {} articles{left} and {} pages: no errors, {warnings}",
                            report.articles, report.pages
                        )
                    });
                    ExitCode::SUCCESS
                }
                Err(e) => report_error(&e, "check"),
            }
        }
        Command::New {
            headline,
            section,
            publish,
            bundle,
            strict,
            site_dir,
        } => {
            let opts = newsgen::commands::NewOptions {
                publish,
                bundle,
                strict,
            };
            match newsgen::commands::new_article(&site_dir, &headline, &section, opts) {
                Ok((path, warnings)) => {
                    println!("{}", path.display());
                    if verbosity != Verbosity::Quiet {
                        newsgen::commands::print_diagnostics(&warnings);
                        if !publish {
                            eprintln!(
                                "this is a draft: remove `draft = true` to publish it \
                                 (`newsgen serve --drafts` previews it)"
                            );
                        }
                    }
                    ExitCode::SUCCESS
                }
                Err(e) => report_error(&e, "new"),
            }
        }
        Command::List { what, site_dir } => {
            let kind = match what {
                ListWhat::Drafts => ListKind::Drafts,
                ListWhat::Scheduled => ListKind::Scheduled,
                ListWhat::Expired => ListKind::Expired,
            };
            match newsgen::commands::list(&site_dir, kind, None) {
                Ok((items, diags)) => {
                    for item in &items {
                        println!("{}  {}  {}", item.date, item.path, item.title);
                    }
                    newsgen::commands::print_diagnostics(&diags);
                    if diags.iter().any(newsgen::Diagnostic::is_error) {
                        ExitCode::FAILURE
                    } else {
                        ExitCode::SUCCESS
                    }
                }
                Err(e) => report_error(&e, "list"),
            }
        }
        Command::Init { dir } => match newsgen::commands::init(&dir) {
            Ok(()) => {
                eprintln!(
                    "created a new site in {}: cd there and run `newsgen serve`",
                    dir.display()
                );
                ExitCode::SUCCESS
            }
            Err(e) => report_error(&e, "init"),
        },
        Command::Serve {
            watch: _,
            no_watch,
            open,
            port,
            bind,
            include,
            site_dir,
        } => {
            let opts = newsgen::serve::ServeOptions {
                site_dir,
                port,
                bind,
                watch: !no_watch,
                open,
                flags: include,
                quiet: verbosity == Verbosity::Quiet,
            };
            match newsgen::serve::run(opts) {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => report_error(&e, "serve"),
            }
        }
        Command::Completions { shell } => {
            clap_complete::generate(
                shell,
                &mut Cli::command(),
                "newsgen",
                &mut std::io::stdout(),
            );
            ExitCode::SUCCESS
        }
        Command::Theme(ThemeCommand::Copy { name, site_dir }) => {
            match newsgen::commands::copy_theme(&site_dir, &name) {
                Ok(rel) => {
                    println!("{}", rel.display());
                    ExitCode::SUCCESS
                }
                Err(e) => report_error(&e, "theme copy"),
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
        Err(e) => report_error(&e, "import"),
    }
}

/// Prints a build's warnings and its summary line (`line` gets the "left out" note), and
/// with `--verbose` the files it left out.
fn summarise(report: &BuildReport, verbosity: Verbosity, line: impl FnOnce(String) -> String) {
    if verbosity == Verbosity::Quiet {
        return;
    }
    newsgen::commands::print_diagnostics(&report.warnings);
    if let Some(summary) = &report.link_summary {
        eprintln!("{summary}");
    }
    let left = newsgen::commands::left_out_note(&report.left_out)
        .map(|note| format!(" ({note})"))
        .unwrap_or_default();
    eprintln!("{}", line(left));
    if verbosity == Verbosity::Verbose {
        for path in &report.left_out.drafts {
            eprintln!("  draft: {}", path.display());
        }
        for (date, path) in &report.left_out.scheduled {
            eprintln!(
                "  scheduled: {} ({})",
                path.display(),
                date.format("%Y-%m-%d %H:%M %Z")
            );
        }
        for (date, path) in &report.left_out.expired {
            eprintln!(
                "  expired: {} ({})",
                path.display(),
                date.format("%Y-%m-%d %H:%M %Z")
            );
        }
    }
}

fn report_error(e: &Error, command: &str) -> ExitCode {
    eprintln!("{}", e.report_for(command));
    ExitCode::FAILURE
}
