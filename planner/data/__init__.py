"""The data layer: what every other part reads and names.

The input contract (`contract`: young_people.csv and schemes.csv read into typed frames, every
problem reported by file, row and column as one `problems.InvalidInput`), the vocabularies of
the contract (`vocab`: support levels, SSDA903 accommodation codes, risks), UK formats
(`formats`), settings from the environment (`settings`), the YAML reader with line numbers
(`yaml_reader`), the registry of English districts (`districts`; their codes and names alone, without pandas,
in `lad`), UK postcodes to districts
through the ONS Postcode Directory (`postcodes`), plain summaries of a dataset (`summary`) and
the history files the forecast reads and the demo and SSDA903 import write (`history_formats`:
referrals.csv and cohort.csv), who may be offered what (`roof`) and who pays for a place
(`funding`: the council's share of rent and support by age and activity).

May import: nothing else in `planner`. Its modules are imported by name
(`from planner.data.contract import load_folder`): this package re-exports nothing, so that
importing a light module (vocab, formats, problems) does not load pandas.
"""
