//! The options of the staggered DiD estimator (docs/did.md), shared by the
//! `[compare]` section of a run config and `govlens did`: each is one of R
//! did's `att_gt()` / `aggte()` arguments, named as R names its values.

use serde::{Deserialize, Serialize};

/// `control_group`: who the comparison units are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Control {
    /// Units never treated in the data (R's "nevertreated").
    #[default]
    Never,
    /// The never-treated plus units first treated after max(t, base) + δ
    /// (R's "notyettreated"); cohort g itself is never its own control.
    NotYet,
}

/// `est_method`: how ATT(g, t) adjusts for covariates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Method {
    /// Doubly robust (Sant'Anna & Zhao 2020): logit propensity score and a
    /// linear outcome regression on the control group's changes.
    #[default]
    Dr,
    /// Inverse probability weighting (normalised, Hájek).
    Ipw,
    /// Outcome regression (Heckman, Ichimura & Todd 1997).
    Reg,
}

/// `base_period`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum BasePeriod {
    /// Pre-periods compare t with t − 1; post-periods with g − δ − 1.
    #[default]
    Varying,
    /// Every cell compares t with g − δ − 1 (that cell itself is 0).
    Universal,
}

/// How standard errors are computed (R's `bstrap`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SeKind {
    /// sqrt(Σ ψ_i²) / n from the influence functions (`bstrap = FALSE`).
    Analytic,
    /// The multiplier bootstrap with Rademacher weights (`bstrap = TRUE`,
    /// R's default), scaled by the IQR.
    #[default]
    Bootstrap,
}

/// Every option of one estimation. Each field is a key of the run config's
/// `[compare]` section as it is named here (serde; `draws` is also the model
/// means' bootstrap), and is written, so named, into `govlens did`'s
/// manifest: a new option is a field here (its doc, its default below) and
/// a flag of `govlens did`.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct DidOptions {
    pub control: Control,
    pub method: Method,
    /// δ: periods before adoption in which units may already react.
    pub anticipation: i32,
    pub base_period: BasePeriod,
    /// Keep units not observed in every year (cells use the units observed
    /// in both t and the base year); R's default (false) drops them.
    pub unbalanced: bool,
    pub se: SeKind,
    pub draws: usize,
    /// The bootstrap's seed: the run's own (`run.seed`, one sub-seed a
    /// metric) or `govlens did --seed`; not a `[compare]` key.
    #[serde(skip_deserializing)]
    pub seed: u64,
    /// Uniform (sup-t) bands over the reported cells (R's `cband`; needs the
    /// bootstrap).
    pub cband: bool,
    /// R's `alp`: 1 − the coverage of every interval and band (pointwise
    /// att ± z₁₋α/₂ · se; the uniform band's sup-t critical value at 1 − α);
    /// 0.05 (95%) by default. Not the pre-test's: its p is reported as is.
    pub alpha: f64,
    /// Event times kept by the dynamic aggregation (R's `min_e`, `max_e`).
    pub min_e: Option<i32>,
    pub max_e: Option<i32>,
    /// Only cohorts observed at least this many periods after adoption
    /// enter the event study (R's `balance_e`).
    pub balance_e: Option<i32>,
}

/// R's `biters` default: the bootstrap's draws (also the run's
/// `[compare] draws` and `govlens did --draws`).
pub const DEFAULT_DRAWS: usize = 999;

impl Default for DidOptions {
    fn default() -> Self {
        DidOptions {
            control: Control::Never,
            method: Method::Dr,
            anticipation: 0,
            base_period: BasePeriod::Varying,
            unbalanced: false,
            se: SeKind::Bootstrap,
            draws: DEFAULT_DRAWS,
            seed: 0,
            cband: true,
            alpha: 0.05,
            min_e: None,
            max_e: None,
            balance_e: None,
        }
    }
}

impl DidOptions {
    /// The values no estimation can take, as (key, why): the front end names
    /// its key (`compare.alpha`) or flag (`--alpha`).
    pub fn check(&self) -> Result<(), (&'static str, String)> {
        if self.anticipation < 0 {
            return Err(("anticipation", format!("{} is below 0", self.anticipation)));
        }
        if !(self.alpha > 0.0 && self.alpha < 1.0) {
            return Err((
                "alpha",
                format!(
                    "{} is not between 0 and 1 (R's alp: 0.05 for 95% intervals)",
                    self.alpha
                ),
            ));
        }
        Ok(())
    }

    /// The intervals' coverage as printed: `95%`, `90%`, `99.5%`.
    pub fn level(&self) -> String {
        level(self.alpha)
    }

    /// These options as R did's `att_gt()` arguments, in R's words (`alp`
    /// only when it is not R's default).
    pub fn r_arguments(&self) -> String {
        let tf = |b: bool| if b { "TRUE" } else { "FALSE" };
        let mut args = format!(
            "control_group = \"{}\", anticipation = {}, est_method = \"{}\", base_period = \"{}\", bstrap = {}, cband = {}, biters = {}, allow_unbalanced_panel = {}",
            match self.control {
                Control::NotYet => "notyettreated",
                Control::Never => "nevertreated",
            },
            self.anticipation,
            self.method.name(),
            self.base_period.name(),
            tf(self.se == SeKind::Bootstrap),
            tf(self.cband),
            self.draws,
            tf(self.unbalanced),
        );
        if self.alpha != DidOptions::default().alpha {
            args.push_str(&format!(", alp = {}", self.alpha));
        }
        args
    }
}

/// The coverage of intervals at `alpha`, as printed: `95%`, `90%`, `99.5%`.
pub fn level(alpha: f64) -> String {
    let p = (1.0 - alpha) * 100.0;
    let t = format!("{p:.2}");
    format!("{}%", t.trim_end_matches('0').trim_end_matches('.'))
}

impl Control {
    pub fn name(self) -> &'static str {
        match self {
            Control::Never => "never",
            Control::NotYet => "notyet",
        }
    }
}

impl Method {
    pub fn name(self) -> &'static str {
        match self {
            Method::Dr => "dr",
            Method::Ipw => "ipw",
            Method::Reg => "reg",
        }
    }
}

impl BasePeriod {
    pub fn name(self) -> &'static str {
        match self {
            BasePeriod::Varying => "varying",
            BasePeriod::Universal => "universal",
        }
    }
}

impl SeKind {
    pub fn name(self) -> &'static str {
        match self {
            SeKind::Analytic => "analytic",
            SeKind::Bootstrap => "bootstrap",
        }
    }
}

/// Each option's values as the flags and files spell them, parsed in one
/// place: `"notyet".parse::<Control>()`. The error is the list of values
/// allowed, for the front end to name its key or flag with.
macro_rules! words {
    ($t:ident, $allowed:literal, $($word:literal => $v:expr),+ $(,)?) => {
        impl std::str::FromStr for $t {
            type Err = &'static str;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s {
                    $($word => Ok($v),)+
                    _ => Err($allowed),
                }
            }
        }

        impl std::fmt::Display for $t {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.name())
            }
        }

        /// In a config file, the same words as the flags.
        impl<'de> Deserialize<'de> for $t {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = String::deserialize(d)?;
                s.parse().map_err(|allowed| {
                    serde::de::Error::custom(format!("'{s}' is not one of {allowed}"))
                })
            }
        }

        impl Serialize for $t {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.name())
            }
        }
    };
}

words!(Control, "never, notyet",
    "never" => Control::Never, "nevertreated" => Control::Never,
    "notyet" => Control::NotYet, "notyettreated" => Control::NotYet);
words!(Method, "dr, ipw, reg", "dr" => Method::Dr, "ipw" => Method::Ipw, "reg" => Method::Reg);
words!(BasePeriod, "varying, universal",
    "varying" => BasePeriod::Varying, "universal" => BasePeriod::Universal);
words!(SeKind, "analytic, bootstrap",
    "analytic" => SeKind::Analytic, "bootstrap" => SeKind::Bootstrap);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_word_reads_back_as_its_name_and_r_names_are_accepted() {
        for c in [Control::Never, Control::NotYet] {
            assert_eq!(c.to_string().parse::<Control>(), Ok(c));
        }
        assert_eq!("notyettreated".parse::<Control>(), Ok(Control::NotYet));
        assert_eq!("later".parse::<Control>(), Err("never, notyet"));
        assert_eq!("ipw".parse::<Method>(), Ok(Method::Ipw));
        assert_eq!("universal".parse::<BasePeriod>(), Ok(BasePeriod::Universal));
        assert_eq!("analytic".parse::<SeKind>(), Ok(SeKind::Analytic));
        assert_eq!(DidOptions::default().draws, DEFAULT_DRAWS);
    }

    #[test]
    fn the_level_is_printed_as_a_percent() {
        assert_eq!(level(0.05), "95%");
        assert_eq!(level(0.1), "90%");
        assert_eq!(level(0.005), "99.5%");
        let bad = DidOptions {
            alpha: 1.0,
            ..DidOptions::default()
        };
        assert_eq!(bad.check().unwrap_err().0, "alpha");
        assert!(DidOptions::default().check().is_ok());
    }
}
