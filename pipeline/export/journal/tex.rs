//! The journal tables as a LaTeX document (`tables.tex`): booktabs rules
//! (\toprule, \midrule, \cmidrule under spanning groups, \bottomrule; no
//! vertical lines) in `longtable`s that break across pages with their
//! header repeated, notes under each. Chinese with `ctexart`, English with
//! `article` and fontspec; compile with `xelatex tables.tex`. Text from the
//! run is escaped: no character of a name or label is a LaTeX command.

use super::{Row, Table, Tables};
use crate::render::labels::Lang;

/// `s` as LaTeX text: its special characters escaped, the configuration
/// table's symbols and a few signs as LaTeX draws them.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\textbackslash{}"),
            '&' | '%' | '$' | '#' | '_' | '{' | '}' => {
                out.push('\\');
                out.push(c);
            }
            '~' => out.push_str("\\textasciitilde{}"),
            '^' => out.push_str("\\textasciicircum{}"),
            '<' => out.push_str("\\textless{}"),
            '>' => out.push_str("\\textgreater{}"),
            '|' => out.push_str("\\textbar{}"),
            '●' => out.push_str("\\qcore{}"),
            '•' => out.push_str("\\qperi{}"),
            '⊗' => out.push_str("\\qcoreabs{}"),
            '⊘' => out.push_str("\\qperiabs{}"),
            'ε' => out.push_str("\\ensuremath{\\varepsilon}"),
            '²' => out.push_str("\\textsuperscript{2}"),
            '\n' | '\r' => out.push(' '),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// Rows up to which a table is a float kept on one page (`table` with a
/// `tabular`); a longer one is a `longtable` that breaks with its header.
const FLOAT_ROWS: usize = 30;

/// The header lines: the spanners with their \cmidrule, then the header.
fn head(t: &Table) -> String {
    let cols = t.columns;
    let mut head = String::from("\\toprule\n");
    if !t.spanners.is_empty() {
        let mut line = Vec::new();
        let mut rules = String::new();
        let mut col = 0;
        for (label, from, to) in &t.spanners {
            while col < *from {
                line.push(String::new());
                col += 1;
            }
            line.push(format!(
                "\\multicolumn{{{}}}{{c}}{{{}}}",
                to - from + 1,
                escape(label)
            ));
            rules.push_str(&format!("\\cmidrule(lr){{{}-{}}}", from + 1, to + 1));
            col = to + 1;
        }
        while col < cols {
            line.push(String::new());
            col += 1;
        }
        head.push_str(&format!("{} \\\\\n{rules}\n", line.join(" & ")));
    }
    head.push_str(&format!(
        "{} \\\\\n\\midrule\n",
        t.header
            .iter()
            .map(|h| escape(h))
            .collect::<Vec<_>>()
            .join(" & ")
    ));
    head
}

fn body(t: &Table) -> String {
    let cols = t.columns;
    let mut s = String::new();
    for r in &t.rows {
        match r {
            Row::Data(c) | Row::Under(c) => {
                let mut cells: Vec<String> = c.iter().map(|x| escape(x)).collect();
                cells.resize(cols, String::new());
                s.push_str(&format!("{} \\\\\n", cells.join(" & ")));
            }
            Row::Rule => s.push_str("\\midrule\n"),
            Row::Group(g) => s.push_str(&format!(
                "\\multicolumn{{{cols}}}{{l}}{{\\textit{{{}}}}} \\\\\n",
                escape(g)
            )),
        }
    }
    s
}

fn notes(t: &Table, lang: Lang) -> String {
    if t.notes.is_empty() {
        return String::new();
    }
    let lead = match lang {
        Lang::Zh => "注：",
        Lang::En => "Note: ",
    };
    format!(
        "{{\\footnotesize\\noindent {}{}\\par}}\n",
        escape(lead),
        t.notes
            .iter()
            .map(|n| escape(n))
            .collect::<Vec<_>>()
            .join(" ")
    )
}

fn table(n: usize, t: &Table, lang: Lang) -> String {
    let cols = t.columns;
    let spec = format!("l*{{{}}}{{c}}", cols - 1);
    let caption = format!("\\caption{{{}}}\\label{{tab:{n}}}", escape(&t.title));
    if t.rows.len() <= FLOAT_ROWS {
        return format!(
            "\\begin{{table}}[htbp]\n\\centering\n{caption}\n\\vspace{{3pt}}\n\\begin{{tabular}}{{{spec}}}\n{}{}\\bottomrule\n\\end{{tabular}}\n\n\\smallskip\n\\begin{{minipage}}{{\\linewidth}}\n{}\\end{{minipage}}\n\\end{{table}}\n\n",
            head(t),
            body(t),
            notes(t, lang)
        );
    }
    let h = head(t);
    format!(
        "\\begin{{longtable}}{{{spec}}}\n{caption}\\\\\n{h}\\endfirsthead\n\\multicolumn{{{cols}}}{{l}}{{\\footnotesize {}}} \\\\\n{h}\\endhead\n\\bottomrule\n\\endlastfoot\n{}\\end{{longtable}}\n\\vspace{{-0.5\\baselineskip}}\n{}\\bigskip\n\n",
        match lang {
            Lang::Zh => format!("表 {n}（续）"),
            Lang::En => format!("Table {n} (continued)"),
        },
        body(t),
        notes(t, lang)
    )
}

/// The whole document.
pub fn write(tables: &Tables) -> String {
    let mut s = String::from(
        "% Journal tables written by govlens export. Compile with xelatex, twice\n% (longtable sets its column widths on the second run): xelatex tables.tex\n",
    );
    s.push_str(match tables.lang {
        Lang::Zh => "\\documentclass[11pt]{ctexart}\n",
        Lang::En => "\\documentclass[11pt]{article}\n\\usepackage{fontspec}\n",
    });
    s.push_str(
        "\\usepackage[a4paper,margin=2.2cm]{geometry}\n\
         \\usepackage{booktabs}\n\
         \\usepackage{longtable}\n\
         \\setlength{\\LTcapwidth}{\\linewidth}\n\\setlength{\\tabcolsep}{4pt}\n\
         % fsQCA: core and peripheral conditions present and absent (Ragin & Fiss).\n\
         \\newcommand{\\qcore}{\\ensuremath{\\mbox{\\Large$\\bullet$}}}\n\
         \\newcommand{\\qperi}{\\ensuremath{\\bullet}}\n\
         \\newcommand{\\qcoreabs}{\\ensuremath{\\mbox{\\large$\\otimes$}}}\n\
         \\newcommand{\\qperiabs}{\\ensuremath{\\mbox{\\scriptsize$\\otimes$}}}\n",
    );
    if tables.lang == Lang::Zh {
        s.push_str("\\renewcommand{\\tablename}{表}\n");
    }
    s.push_str(&format!(
        "\\title{{{}}}\n\\date{{}}\n\\begin{{document}}\n\\maketitle\n",
        escape(&tables.title)
    ));
    if tables.simulated {
        s.push_str(match tables.lang {
            Lang::Zh => "\\begin{center}\\textbf{本表基于模拟数据生成，数字不代表任何真实地区。}\\end{center}\n\n",
            Lang::En => "\\begin{center}\\textbf{Made from simulated data: the numbers describe no real place.}\\end{center}\n\n",
        });
    }
    s.push_str("{\\small\n");
    for (i, t) in tables.tables.iter().enumerate() {
        s.push_str(&table(i + 1, t, tables.lang));
    }
    s.push_str("}\n\\end{document}\n");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_text_not_commands() {
        assert_eq!(
            escape("a_b & 50% \\input{x} $1 #2 ~ ^"),
            "a\\_b \\& 50\\% \\textbackslash{}input\\{x\\} \\$1 \\#2 \\textasciitilde{} \\textasciicircum{}"
        );
        assert_eq!(escape("● ⊗"), "\\qcore{} \\qcoreabs{}");
    }
}
