namespace RerankCluster.Training.ReferenceTexts;

/// <summary>
/// One answerable unit of a reference text: a dictionary headword with its definition, or a manual
/// section with its heading. <see cref="Key"/> is stable across releases of the package, so the held-out
/// split by key never moves an entry from test to train.
/// </summary>
/// <param name="Source">The dataset it belongs to (foldoc, jargon, wordnet, python-docs).</param>
/// <param name="Key">Stable identity within the source: the headword, or page#section.</param>
/// <param name="Term">What a reader would ask about: the headword, or the section heading.</param>
/// <param name="Context">Where the term sits (the manual page's title); empty for dictionaries.</param>
/// <param name="Text">The answer passage, as plain text.</param>
public sealed record ReferenceEntry(string Source, string Key, string Term, string Context, string Text);
