"""Importing the event data analysts already have: ACLED (each generation of its columns),
UCDP GED, GDELT 2.0, any CSV or GeoJSON of incidents. Each file here is small but shaped
like the real one; the CLI is used as a user meets it, the library functions directly."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from geo.cli import main
from geo.errors import CsvError
from geo.export.datasets import (
    GDELT_COLUMNS,
    BadRow,
    ImportOptions,
    Problem,
    country_code,
    import_file,
    parse_day,
    read_events,
)
from geo.store import SQLiteStore

# ACLED before 2019: upper case, Windows-1252 (0x92 is a right quote), dates as 29/12/2015.
ACLED_LEGACY = (
    b"GWNO,EVENT_ID_CNTY,EVENT_ID_NO_CNTY,EVENT_DATE,YEAR,TIME_PRECISION,EVENT_TYPE,ACTOR1,ALLY_ACTOR_1,"
    b"INTER1,ACTOR2,ALLY_ACTOR_2,INTER2,INTERACTION,COUNTRY,ADMIN1,ADMIN2,ADMIN3,LOCATION,LATITUDE,"
    b"LONGITUDE,GEO_PRECISION,SOURCE,NOTES,FATALITIES\r\n"
    b"615,ALG4512,4512,29/12/2015,2015,1,Riots/Protests,Protesters (Algeria),,6,,,0,60,Algeria,Bejaia,"
    b"Bejaia,,Bejaia,36.7509,5.0567,1,El Watan,Protesters blocked the town\x92s main road over water cuts.,0\r\n"
    b"520,SOM1932,1932,30/12/2015,2015,2,Remote violence,Al Shabaab,,2,Military Forces of Somalia (2012-),,1,12,"
    b"Somalia,Banadir,Mogadishu,,Mogadishu,2.0371,45.3438,2,Shabelle,\"Mortars hit the airport; \x93no "
    b"casualties\x94 said officials.\",0\r\n"
)  # fmt: skip
# ACLED in 2020: lower case, data_id first, dates as 21 March 2020.
ACLED_2020 = (
    "data_id,iso,event_id_cnty,event_id_no_cnty,event_date,year,time_precision,event_type,sub_event_type,"
    "actor1,assoc_actor_1,inter1,actor2,assoc_actor_2,inter2,interaction,region,country,admin1,admin2,admin3,"
    "location,latitude,longitude,geo_precision,source,source_scale,notes,fatalities,timestamp,iso3\n"
    "7033224,760,SYR102031,102031,21 March 2020,2020,1,Explosions/Remote violence,Shelling/artillery/missile "
    "attack,Military Forces of Syria (2000-),,1,,,0,10,Middle East,Syria,Idleb,Ariha,Ariha,Ariha,35.8126,"
    "36.6094,1,SOHR,Other,\"Regime forces shelled Ariha, no casualties reported.\",0,1585588853,SYR\n"
    "7033225,804,UKR5521,5521,22 March 2020,2020,2,Battles,Armed clash,Military Forces of Russia (2000-),,8,"
    "Military Forces of Ukraine (2019-),,1,18,Europe,Ukraine,Donetsk,Pokrovskyi,,Avdiivka,48.1394,37.7497,2,"
    "JFO,National,Exchange of fire near Avdiivka.,1,1585588853,UKR\n"
)  # fmt: skip
# ACLED today: disorder_type, interaction, no actor2 columns here, dates as a spreadsheet writes them.
ACLED_CURRENT = (
    "event_id_cnty,event_date,year,time_precision,disorder_type,event_type,sub_event_type,actor1,assoc_actor_1,"
    "inter1,interaction,civilian_targeting,iso,region,country,admin1,admin2,admin3,location,latitude,longitude,"
    "geo_precision,source,source_scale,notes,fatalities,tags,timestamp\n"
    "UKR171234,5-Aug-24,2024,1,Political violence,Explosions/Remote violence,Air/drone strike,Military Forces "
    "of Russia (2000-),,External/Other forces,External/Other forces-Civilians,Civilian targeting,804,Europe,"
    "Ukraine,Kharkiv,Kharkivskyi,Kharkivska,Kharkiv,49.9935,36.2304,1,Ukrinform,National,"
    "A drone hit a residential block in Kharkiv.,2,,1723500000\n"
    "UKR171235,6-Aug-24,2024,3,Demonstrations,Protests,Peaceful protest,Protesters (Ukraine),,Protesters,"
    "Protesters only,,804,Europe,Ukraine,Lvivska,Lvivskyi,Lvivska,Lviv,49.8397,24.0297,3,Suspilne,Subnational,"
    "Families of prisoners of war rallied in Lviv.,0,crowd size=around 200,1723500000\n"
)  # fmt: skip
UCDP_HEADER = (
    "id,relid,year,active_year,code_status,type_of_violence,conflict_dset_id,conflict_new_id,conflict_name,"
    "dyad_dset_id,dyad_new_id,dyad_name,side_a_dset_id,side_a_new_id,side_a,side_b_dset_id,side_b_new_id,side_b,"
    "number_of_sources,source_article,source_office,source_date,source_headline,source_original,where_prec,"
    "where_coordinates,where_description,adm_1,adm_2,latitude,longitude,geom_wkt,priogrid_gid,country,"
    "country_id,region,event_clarity,date_prec,date_start,date_end,deaths_a,deaths_b,deaths_civilians,"
    "deaths_unknown,best,high,low,gwnoa,gwnob\n"
)  # fmt: skip
UCDP = UCDP_HEADER + (
    '244657,AFG-2015-1-411-2.2,2015,TRUE,Clear,1,333,333,Afghanistan: Government,411,411,Government of '
    'Afghanistan - Taleban,130,130,Government of Afghanistan,303,303,Taleban,1,"BBC Monitoring South Asia,'
    '2015-12-30,Taleban attack checkpoint",,2015-12-30,Taleban attack checkpoint in Helmand,Tolo TV,1,'
    "Sangin town,Sangin,Hilmand province,Sangin district,32.0729,64.8359,POINT (64.8359 32.0729),152969,"
    "Afghanistan,700,Asia,1,1,2015-12-29 00:00:00.000,2015-12-29 00:00:00.000,2,5,0,0,7,9,7,700,\n"
    "301145,SYR-2016-3-1002-1,2016,TRUE,Clear,3,,,,1002,1002,IS - Civilians,234,234,IS,1,1,Civilians,2,"
    ",,,,,3,Manbij town,Manbij district,Aleppo governorate,Manbij district,36.5281,37.9549,"
    "POINT (37.9549 36.5281),176995,Syria,652,Middle East,1,4,2016-07-01,2016-07-31,0,0,12,0,12,15,12,,\n"
)  # fmt: skip
GEOJSON = {
    "type": "FeatureCollection",
    "features": [
        {"type": "Feature", "id": "inc-1", "geometry": {"type": "Point", "coordinates": [30.5234, 50.4501]},
         "properties": {"date": "2022-03-01", "description": "Missile strike on the TV tower", "type": "Explosions"}},
        {"type": "Feature", "id": "inc-2",
         "geometry": {"type": "LineString", "coordinates": [[36.0, 47.0], [37.0, 47.5]]},
         "properties": {"date": "02/03/2022", "description": "Shelling along the front line"}},
        {"type": "Feature", "id": "inc-3", "geometry": None,
         "properties": {"date": "2022-03-03", "description": "A report without a place"}},
    ],
}  # fmt: skip


def gdelt_row(event_id: str, day: str, root: str, code: str, geo_type: str, place: str, country: str,
              lat: str, lon: str, actor1: str = "RUSSIA", actor2: str = "UKRAINE") -> str:  # fmt: skip
    """A GDELT 2.0 event export line: 61 tab-separated fields, no header."""
    cells = [""] * len(GDELT_COLUMNS)
    values = {"GLOBALEVENTID": event_id, "SQLDATE": day, "MonthYear": day[:6], "Year": day[:4],
              "FractionDate": f"{day[:4]}.1644", "Actor1Code": "RUS", "Actor1Name": actor1, "Actor2Name": actor2,
              "IsRootEvent": "1", "EventCode": code, "EventBaseCode": code[:3], "EventRootCode": root,
              "QuadClass": "4", "GoldsteinScale": "-10.0", "NumMentions": "10", "ActionGeo_Type": geo_type,
              "ActionGeo_FullName": place, "ActionGeo_CountryCode": country, "ActionGeo_ADM1Code": f"{country}07",
              "ActionGeo_Lat": lat, "ActionGeo_Long": lon, "ActionGeo_FeatureID": "-1044367",
              "DATEADDED": f"{day}120000", "SOURCEURL": f"https://example.org/{event_id}"}  # fmt: skip
    for name, value in values.items():
        cells[GDELT_COLUMNS.index(name)] = value
    return "\t".join(cells) + "\n"


GDELT = (
    gdelt_row("1021733421", "20220301", "19", "193", "4", "Kharkiv, Kharkivs'ka Oblast', Ukraine", "UP",
              "49.9808", "36.2527")
    + gdelt_row("1021733422", "20220301", "14", "145", "4", "Lviv, L'vivs'ka Oblast', Ukraine", "UP", "49.8383",
                "24.0232", actor1="PROTESTER", actor2="")
    + gdelt_row("1021733423", "20220302", "04", "042", "1", "Ukraine", "UP", "49", "32")
    + gdelt_row("1021733424", "20220302", "18", "183", "5", "Donets'ka Oblast', Ukraine", "UP", "48", "37.8")
    + gdelt_row("1021733425", "20220303", "19", "190", "0", "", "", "", "")
)  # fmt: skip


@pytest.fixture
def store_path(tmp_path) -> Path:
    return tmp_path / "events.sqlite"


def run_import(store_path: Path, *args: str):
    return CliRunner().invoke(main, ["--store", str(store_path), "import", *args], catch_exceptions=False)


def errors(result) -> list[str]:
    return [line for line in result.output.splitlines() if line.startswith("Error:")]


def stored(store_path: Path) -> list:
    """The stored events in the order they were imported."""
    return sorted(SQLiteStore(store_path).events(), key=lambda e: e.id)


def write(tmp_path: Path, name: str, content: str | bytes, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode(encoding))
    return path


# -- ACLED ------------------------------------------------------------------------------


def test_legacy_acled_in_windows_1252(tmp_path, store_path):
    path = write(tmp_path, "acled_africa_2015.csv", ACLED_LEGACY)
    result = run_import(store_path, str(path))
    assert result.exit_code == 0, result.output
    assert result.stdout == (f"{path} (acled, cp1252): 2 imported, 0 updated, 0 unchanged or duplicate, 0 bad\n")
    protest, shelling = stored(store_path)
    assert protest.notes == "Protesters blocked the town\u2019s main road over water cuts."
    assert shelling.notes == "Mortars hit the airport; \u201cno casualties\u201d said officials."
    assert (protest.date_start, protest.time_precision, protest.geo_precision) == ("2015-12-29", "day", "exact")
    assert (shelling.date_start, shelling.time_precision, shelling.geo_precision) == ("2015-12-30", "week", "near")
    assert (protest.event_type, protest.sub_event_type) == ("Protests", "Riots/Protests")
    assert shelling.event_type == "Explosions/Remote violence"
    assert (protest.country, shelling.country) == ("DZ", "SO")
    assert shelling.actor2 == "Military Forces of Somalia (2012-)"
    assert protest.origin == "acled:acled_africa_2015.csv"
    assert protest.geometry == {"type": "Point", "coordinates": [5.0567, 36.7509]}


def test_acled_2020_columns(tmp_path, store_path):
    result = run_import(store_path, str(write(tmp_path, "acled_2020.csv", ACLED_2020)))
    assert result.exit_code == 0, result.output
    ariha, avdiivka = stored(store_path)
    assert (ariha.date_start, ariha.event_type, ariha.sub_event_type) == (
        "2020-03-21", "Explosions/Remote violence", "Shelling/artillery/missile attack")  # fmt: skip
    assert (ariha.country, ariha.admin1, ariha.location) == ("SY", "Idleb", "Ariha")
    assert (avdiivka.date_start, avdiivka.time_precision, avdiivka.fatalities) == ("2020-03-22", "week", 1)
    assert avdiivka.actor2 == "Military Forces of Ukraine (2019-)"


def test_acled_current_columns_without_actor2(tmp_path, store_path):
    result = run_import(store_path, str(write(tmp_path, "acled_2024.csv", ACLED_CURRENT)))
    assert result.exit_code == 0, result.output
    kharkiv, lviv = stored(store_path)
    assert (kharkiv.date_start, kharkiv.actor2, kharkiv.fatalities) == ("2024-08-05", None, 2)
    assert (lviv.date_start, lviv.time_precision, lviv.geo_precision) == ("2024-08-06", "month", "region")
    assert lviv.notes == "Families of prisoners of war rallied in Lviv."


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252", "utf-16"])
def test_any_encoding_is_read(tmp_path, store_path, encoding):
    text = ACLED_LEGACY.decode("cp1252")
    path = write(tmp_path, f"acled_{encoding}.csv", text, encoding)
    result = run_import(store_path, str(path))
    assert result.exit_code == 0, result.output
    protest, shelling = stored(store_path)
    assert "town\u2019s main road" in protest.notes and "\u201cno casualties\u201d" in shelling.notes


def test_cyrillic_in_windows_1251_is_detected(tmp_path, store_path):
    rows = "".join(f'UKR{n},2022-03-0{n},Battles,49.99,36.23,"Обстріл Харкова: загинули двоє людей, поранено шість"\n'
                   for n in range(1, 6))  # fmt: skip
    path = write(tmp_path, "ukr.csv", "event_id_cnty,event_date,event_type,latitude,longitude,notes\n" + rows,
                 "cp1251")  # fmt: skip
    result = run_import(store_path, str(path))
    assert "(acled, cp1251)" in result.stdout, result.output
    assert stored(store_path)[0].notes.startswith("Обстріл Харкова")


def test_bad_rows_are_reported_with_their_line_and_the_rest_goes_in(tmp_path, store_path):
    header, (good, *_) = ACLED_2020.split("\n", 1)[0], ACLED_2020.split("\n", 1)[1:]
    rows = good.splitlines()
    bad_date = rows[0].replace("UKR5521", "X1").replace("SYR102031", "X1").replace("21 March 2020", "31 Feb 2020")
    bad_lat = rows[1].replace("UKR5521", "X2").replace("48.1394", "148.1394")
    no_coords = rows[1].replace("UKR5521", "X3").replace("48.1394,37.7497", ",")
    multiline = rows[0].replace("SYR102031", "X4").replace("no casualties reported.", "no casualties\nreported.")
    text = "\n".join([header, rows[0], bad_date, multiline, bad_lat, no_coords, rows[1]]) + "\n"
    path = write(tmp_path, "mixed.csv", text)
    result = run_import(store_path, str(path))
    assert result.exit_code == 1
    assert result.stdout == f"{path} (acled, utf-8): 3 imported, 0 updated, 0 unchanged or duplicate, 3 bad\n"
    assert errors(result) == [
        f"Error: {path}, line 3: cannot read the date '31 Feb 2020' (expected a form like 2015-12-29, "
        "29/12/2015, 21 March 2020 or 5-Aug-24)",
        f"Error: {path}, line 6: the latitude '148.1394' is out of range (-90..90)",
        f"Error: {path}, line 7: no coordinates (latitude and longitude are empty)",
    ]
    assert "Regime forces shelled Ariha, no casualties\nreported." in {e.notes for e in stored(store_path)}


def test_importing_again_changes_nothing_and_a_revised_row_is_updated(tmp_path, store_path):
    path = write(tmp_path, "acled.csv", ACLED_2020)
    assert run_import(store_path, str(path)).exit_code == 0
    revision = SQLiteStore(store_path).revision()
    again = run_import(store_path, str(path))
    assert again.stdout == f"{path} (acled, utf-8): 0 imported, 0 updated, 2 unchanged or duplicate, 0 bad\n"
    first = [e.to_record() for e in stored(store_path)]
    revised = write(tmp_path, "acled-revised.csv", ACLED_2020.replace("Exchange of fire near Avdiivka.,1",
                                                                      "Exchange of fire near Avdiivka.,3"))  # fmt: skip
    result = run_import(store_path, str(revised))
    assert ": 0 imported, 1 updated, 1 unchanged or duplicate, 0 bad" in result.stdout
    after = stored(store_path)
    assert [e.id for e in after] == [r["id"] for r in first]
    assert (after[1].fatalities, after[1].origin) == (3, "acled:acled-revised.csv")
    assert after[0].origin == "acled:acled.csv"  # unchanged rows keep the file they came from
    assert SQLiteStore(store_path).revision() > revision


def test_deleted_events_come_back_on_import(tmp_path, store_path):
    path = write(tmp_path, "acled.csv", ACLED_2020)
    run_import(store_path, str(path))
    assert len(SQLiteStore(store_path).delete_events(origin="imported")) == 2
    assert ": 2 imported, 0 updated, 0 unchanged" in run_import(store_path, str(path)).stdout


def test_a_file_without_coordinates_names_the_fix(tmp_path, store_path):
    path = write(tmp_path, "acled.csv", "event_date,event_type,location\n2022-01-01,Battles,Kyiv\n")
    result = run_import(store_path, str(path))
    assert result.exit_code == 1
    assert errors(result) == [f"Error: {path} lacks the column(s) latitude, longitude; found: event_date, "
                              "event_type, location. Name them with --lat COLUMN --lon COLUMN."]  # fmt: skip


# -- UCDP ---------------------------------------------------------------------------------


def test_ucdp_ged(tmp_path, store_path):
    bad = UCDP.splitlines()[1].replace("244657", "244658").replace(",1,333,333,", ",9,333,333,")
    path = write(tmp_path, "GEDEvent_v23_1.csv", UCDP + bad + "\n")
    result = run_import(store_path, str(path))
    assert result.stdout.startswith(f"{path} (ucdp, utf-8): 2 imported, 0 updated, 0 unchanged or duplicate, 1 bad")
    assert errors(result) == [f"Error: {path}, line 4: type_of_violence '9' is not 1, 2 or 3"]
    sangin, manbij = stored(store_path)
    assert (sangin.event_type, sangin.sub_event_type) == ("Battles", "State-based conflict")
    assert (sangin.actor1, sangin.actor2, sangin.fatalities) == ("Government of Afghanistan", "Taleban", 7)
    assert (sangin.date_start, sangin.date_end, sangin.time_precision) == ("2015-12-29", "2015-12-29", "day")
    assert (sangin.country, sangin.admin1, sangin.location, sangin.geo_precision) == (
        "AF", "Hilmand province", "Sangin town", "exact")  # fmt: skip
    assert sangin.notes.startswith("Taleban attack checkpoint in Helmand (BBC Monitoring")
    assert (manbij.event_type, manbij.sub_event_type) == ("Violence against civilians", "One-sided violence")
    assert (manbij.date_start, manbij.date_end, manbij.time_precision) == ("2016-07-01", "2016-07-31", "month")
    assert (manbij.geo_precision, manbij.fatalities, manbij.origin) == ("region", 12, "ucdp:GEDEvent_v23_1.csv")
    again = run_import(store_path, str(path))
    assert ": 0 imported, 0 updated, 2 unchanged or duplicate, 1 bad" in again.stdout


# -- GDELT --------------------------------------------------------------------------------


def test_gdelt_event_export(tmp_path, store_path):
    path = write(tmp_path, "20220301120000.export.CSV", GDELT)
    result = run_import(store_path, str(path))
    assert result.stdout.startswith(f"{path} (gdelt, utf-8): 4 imported, 0 updated, 0 unchanged or duplicate, 1 bad")
    assert errors(result) == [f"Error: {path}, line 5: no coordinates (latitude and longitude are empty)"]
    fight, riot, consult, bombing = stored(store_path)
    assert (fight.event_type, fight.sub_event_type) == ("Battles", "CAMEO 193: Fight")
    assert (fight.location, fight.admin1, fight.country, fight.geo_precision) == (
        "Kharkiv", "Kharkivs'ka Oblast'", "UA", "exact")  # fmt: skip
    assert (fight.actor1, fight.actor2, fight.date_start) == ("RUSSIA", "UKRAINE", "2022-03-01")
    assert fight.notes == "RUSSIA fight UKRAINE in Kharkiv, Kharkivs'ka Oblast', Ukraine"
    assert fight.source_url == "https://example.org/1021733421"
    assert (riot.event_type, riot.actor2) == ("Riots", None)
    assert (consult.event_type, consult.geo_precision) == ("Strategic developments", "country")
    assert (bombing.event_type, bombing.geo_precision) == ("Explosions/Remote violence", "region")
    assert run_import(store_path, str(path)).stdout.startswith(f"{path} (gdelt, utf-8): 0 imported, 0 updated, 4")


def test_gdelt_with_a_header_row_and_forced_format(tmp_path, store_path):
    path = write(tmp_path, "gdelt.tsv", "\t".join(GDELT_COLUMNS) + "\n" + GDELT)
    result = run_import(store_path, "--format", "gdelt", str(path))
    assert ": 4 imported, 0 updated, 0 unchanged or duplicate, 1 bad" in result.stdout, result.output
    assert errors(result)[0].startswith(f"Error: {path}, line 6: no coordinates")


# -- any CSV or GeoJSON -------------------------------------------------------------------


def test_generic_csv_found_by_column_names(tmp_path, store_path):
    path = write(tmp_path, "incidents.csv", "lat;lng;datetime;description;category\n"
                 "50.4501;30.5234;2022-03-01 14:30:00;Explosion reported near the TV tower;Explosions/remote violence\n"
                 "49,9935;36,2304;03/01/2022;Shelling of a residential area;\n")  # fmt: skip
    result = run_import(store_path, str(path))
    assert result.exit_code == 0, result.output
    tower, kharkiv = stored(store_path)
    assert (tower.date_start, tower.event_type, tower.notes) == (
        "2022-03-01", "Explosions/Remote violence", "Explosion reported near the TV tower")  # fmt: skip
    assert (kharkiv.latitude, kharkiv.longitude, kharkiv.event_type, kharkiv.date_start) == (
        49.9935, 36.2304, "Other", "2022-01-03")  # fmt: skip
    assert tower.origin == "csv:incidents.csv"


def test_generic_csv_with_columns_named_by_the_user(tmp_path, store_path):
    text = ("ref,brief description,when,northing,easting\n"
            "a1,Checkpoint attacked at dawn,29/12/2015,36.75,5.06\n"
            "a2,Roadside bomb,30/12/2015,36.70,3.05\n")  # fmt: skip
    path = write(tmp_path, "notes.csv", text)
    refused = run_import(store_path, str(path))
    assert refused.exit_code == 1
    assert errors(refused) == [f"Error: {path}: columns northing and easting look like coordinates, but which is "
                               "which? Say so with --lat COLUMN --lon COLUMN."]  # fmt: skip
    result = run_import(store_path, str(path), "--lat", "northing", "--lon", "easting", "--date", "when",
                        "--text", "brief description")  # fmt: skip
    assert result.exit_code == 0, result.output
    assert [(e.date_start, e.latitude, e.notes) for e in stored(store_path)] == [
        ("2015-12-29", 36.75, "Checkpoint attacked at dawn"), ("2015-12-30", 36.70, "Roadside bomb")]  # fmt: skip
    wrong = run_import(store_path, str(path), "--lat", "north")
    assert errors(wrong) == [f"Error: {path} has no column 'north' (given with --lat); its columns are: ref, "
                             "brief description, when, northing, easting."]  # fmt: skip


def test_generic_csv_columns_found_by_content(tmp_path, store_path):
    text = ("a,b,c,d\n"
            "Shelling of the market; two people were wounded,2022-03-01,47.0951,37.5413\n"
            "An airstrike hit the theatre where people sheltered,16 March 2022,47.0958,37.5494\n")  # fmt: skip
    path = write(tmp_path, "unnamed.csv", text)
    # both coordinates are under 90: the content cannot say which is which
    assert "which is which?" in errors(run_import(store_path, str(path)))[0]
    far_east = text.replace("37.54", "137.54")
    result = run_import(store_path, str(write(tmp_path, "east.csv", far_east)))
    assert result.exit_code == 0, result.output
    event = stored(store_path)[1]
    assert (event.latitude, event.longitude, event.date_start) == (47.0958, 137.5494, "2022-03-16")
    assert event.notes == "An airstrike hit the theatre where people sheltered"


def test_generic_csv_without_coordinates_says_how_to_name_them(tmp_path, store_path):
    path = write(tmp_path, "plain.csv", "date,description,place\n2022-03-01,Shelling,Kyiv\n")
    result = run_import(store_path, str(path))
    assert errors(result) == [f"Error: {path}: no latitude column found; name it with --lat COLUMN; columns are: "
                              "date, description, place."]  # fmt: skip


def test_geojson_feature_collection(tmp_path, store_path):
    path = write(tmp_path, "incidents.geojson", json.dumps(GEOJSON))
    result = run_import(store_path, str(path))
    assert result.stdout.startswith(f"{path} (geojson, utf-8): 2 imported, 0 updated, 0 unchanged or duplicate, 1 bad")
    assert errors(result) == [f"Error: {path}, feature 3: no geometry and no latitude/longitude properties"]
    tower, front = stored(store_path)
    assert (tower.latitude, tower.longitude, tower.notes) == (50.4501, 30.5234, "Missile strike on the TV tower")
    assert tower.event_type == "Explosions"
    assert front.geometry["type"] == "LineString" and 47.0 <= front.latitude <= 47.5
    assert front.date_start == "2022-03-02"
    assert "0 imported, 0 updated, 2 unchanged" in run_import(store_path, str(path)).stdout


def test_several_files_in_one_command(tmp_path, store_path):
    paths = [write(tmp_path, "a.csv", ACLED_2020), write(tmp_path, "b.CSV", GDELT),
             write(tmp_path, "c.geojson", json.dumps(GEOJSON))]  # fmt: skip
    result = run_import(store_path, *map(str, paths))
    assert [line.split(": ")[1] for line in result.stdout.splitlines()] == [
        "2 imported, 0 updated, 0 unchanged or duplicate, 0 bad",
        "4 imported, 0 updated, 0 unchanged or duplicate, 1 bad",
        "2 imported, 0 updated, 0 unchanged or duplicate, 1 bad",
    ]
    assert {e.origin for e in stored(store_path)} == {"acled:a.csv", "gdelt:b.CSV", "geojson:c.geojson"}


def test_many_bad_rows_show_the_first_twenty(tmp_path, store_path):
    rows = "".join(f"X{n},2022-03-01,Battles,95,30\n" for n in range(25))
    path = write(tmp_path, "bad.csv", "event_id_cnty,event_date,event_type,latitude,longitude\n" + rows)
    result = run_import(store_path, str(path))
    assert len(errors(result)) == 20 and "... and 5 more bad rows." in result.output


# -- the library --------------------------------------------------------------------------

DATES = [
    ("2015-12-29", "2015-12-29"),
    ("2015-12-29 00:00:00", "2015-12-29"),
    ("2015-12-29T10:30:00Z", "2015-12-29"),
    ("2015-12-29 00:00:00.000", "2015-12-29"),
    ("29/12/2015", "2015-12-29"),
    ("29.12.2015", "2015-12-29"),
    ("21 March 2020", "2020-03-21"),
    ("5-Aug-24", "2024-08-05"),
    ("05-August-2024", "2024-08-05"),
    ("March 21, 2020", "2020-03-21"),
    ("20220301", "2022-03-01"),
    ("", None),
]


@pytest.mark.parametrize(("text", "expected"), DATES, ids=[t or "empty" for t, _ in DATES])
def test_every_date_form(text, expected):
    assert parse_day(text) == expected


def test_month_first_dates_when_the_file_says_so():
    assert parse_day("03/04/2015") == "2015-04-03"
    assert parse_day("03/04/2015", day_first=False) == "2015-03-04"


@pytest.mark.parametrize("text", ["31/02/2015", "2015-13-01", "soon", "5-Foo-24", "32 March 2020"])
def test_dates_that_are_not_days(text):
    with pytest.raises(BadRow, match=f"cannot read the date '{text}'"):
        parse_day(text)


@pytest.mark.parametrize(("args", "expected"), [
    (("Ukraine",), "UA"), (("Democratic Republic of Congo",), "CD"), (("", "804"), "UA"), (("", "SYR"), "SY"),
    (("", "", "UP"), "UA"), (("Atlantis",), "Atlantis"), (("",), None),
], ids=["name", "alias", "number", "alpha-3", "fips", "unknown", "empty"])  # fmt: skip
def test_country_codes(args, expected):
    assert country_code(*args) == expected


def test_read_events_without_a_store(tmp_path):
    found = list(read_events(write(tmp_path, "acled.csv", ACLED_LEGACY)))
    assert [key for key, _ in found] == ["acled:ALG4512", "acled:SOM1932"]
    bad = list(read_events(write(tmp_path, "bad.csv", "lat,lon\n91,30\n")))
    assert bad == [Problem("line 2", "the latitude '91' is out of range (-90..90)")]


def test_streams_in_batches_with_progress(tmp_path, store_path):
    rows = "".join(f"E{n},2022-03-01,Battles,{n / 1000:.3f},30\n" for n in range(1, 1001))
    path = write(tmp_path, "many.csv", "event_id_cnty,event_date,event_type,latitude,longitude\n" + rows)
    store = SQLiteStore(store_path)
    calls = []
    report = import_file(path, store, ImportOptions(batch_rows=300),
                         progress=lambda done, total, label: calls.append((done, total, label)))  # fmt: skip
    assert (report.added, report.bad, report.rows) == (1000, 0, 1000)
    assert [c[2] for c in calls] == ["300 rows", "600 rows", "900 rows", "1,000 rows"]
    assert calls[-1][:2] == (path.stat().st_size, path.stat().st_size)
    assert report.columns["lat"] == "latitude" and report.columns["id"] == "event_id_cnty"


def test_unknown_format_and_encoding_are_refused(tmp_path, store_path):
    path = write(tmp_path, "a.csv", ACLED_2020)
    with pytest.raises(CsvError, match="Unknown import format 'shapefile': choose one of acled, ucdp, gdelt"):
        import_file(path, SQLiteStore(store_path), ImportOptions(format="shapefile"))
    with pytest.raises(CsvError, match="Unknown encoding 'klingon'"):
        import_file(path, SQLiteStore(store_path), ImportOptions(encoding="klingon"))


def test_our_own_export_round_trips(tmp_path, store_path):
    run_import(store_path, str(write(tmp_path, "acled.csv", ACLED_2020)))
    exported = CliRunner().invoke(main, ["--store", str(store_path), "events", "--format", "csv"]).stdout
    other = tmp_path / "other.sqlite"
    result = run_import(other, str(write(tmp_path, "export.csv", exported)))
    assert "(conflictmap, utf-8): 2 imported" in result.stdout
    keep = ("event_type", "date_start", "latitude", "longitude", "notes", "fatalities", "geometry")
    assert [[getattr(e, k) for k in keep] for e in stored(other)] == [
        [getattr(e, k) for k in keep] for e in stored(store_path)
    ]


def test_an_upload_imports_like_a_file_of_its_name(tmp_path):
    """The app's uploads: bytes and a name (any folders in it dropped), the same report and origin."""
    from geo.export.datasets import RawDataset

    store = SQLiteStore(tmp_path / "events.sqlite")
    upload = RawDataset(ACLED_LEGACY + b"999,BAD1,1,31/02/2015,2015,1,Battles,,,,,,,,Algeria,,,,X,36.7,5.0,1,,,0\r\n",
                        "../../uploads/acled_2015.csv")  # fmt: skip
    report = import_file(upload, store)
    assert report.summary() == "acled_2015.csv (acled, cp1252): 2 imported, 0 updated, 0 unchanged or duplicate, 1 bad"
    assert report.problem_lines() == ["line 4: cannot read the date '31/02/2015' (expected a form like 2015-12-29, "
                                      "29/12/2015, 21 March 2020 or 5-Aug-24)"]  # fmt: skip
    assert report.problem_lines(0) == ["... and 1 more bad rows."]
    assert {e.origin for e in store.events()} == {"acled:acled_2015.csv"}
    assert import_file(upload, store).unchanged == 2


# -- keys (issue 21, 2) --------------------------------------------------------------------


def _features(*rows: tuple) -> str:
    return json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [lon, 50.0]},
         "properties": {"fid": fid, "date": "2022-03-01", "notes": note}} for fid, lon, note in rows]})  # fmt: skip


def test_geojson_ids_of_two_files_are_two_events(tmp_path, store_path):
    """QGIS numbers every layer's features 1, 2...: b.geojson's feature 1 is not a.geojson's."""
    a = write(tmp_path, "a.geojson", _features((1, 30.0, "Shelling in A1"), (2, 30.1, "Shelling in A2")))
    b = write(tmp_path, "b.geojson", _features((1, 31.0, "Strike in B1")))
    assert "2 imported, 0 updated" in run_import(store_path, str(a)).stdout
    assert "1 imported, 0 updated" in run_import(store_path, str(b)).stdout
    assert sorted(e.notes for e in stored(store_path)) == ["Shelling in A1", "Shelling in A2", "Strike in B1"]
    assert "0 imported, 0 updated, 2 unchanged" in run_import(store_path, str(a)).stdout  # still keyed by its id
    revised = write(tmp_path, "a.geojson", _features((1, 30.0, "Shelling in A1, revised"), (2, 30.1, "Shelling in A2")))
    assert "0 imported, 1 updated, 1 unchanged" in run_import(store_path, str(revised)).stdout
    assert sorted(e.notes for e in stored(store_path)) == ["Shelling in A1, revised", "Shelling in A2", "Strike in B1"]


def test_a_repeated_id_in_one_file_is_reported_and_both_rows_kept(tmp_path, store_path):
    path = write(tmp_path, "fid.geojson", _features((7, 30.0, "First"), (7, 30.5, "Second"), (7, 30.0, "First")))
    result = run_import(store_path, str(path))
    assert result.stdout.startswith(f"{path} (geojson, utf-8): 2 imported, 0 updated, 1 unchanged or duplicate, "
                                    "0 bad, 1 with a repeated id (kept apart)")  # fmt: skip
    assert f"Note: {path}, feature 2: its id 7 is also an earlier row's, with other values: kept as an event of " \
           "its own" in result.output
    assert result.exit_code == 0
    assert sorted(e.notes for e in stored(store_path)) == ["First", "Second"]
    assert "0 imported, 0 updated, 3 unchanged" in run_import(store_path, str(path)).stdout  # and again: the same


def test_a_repeated_acled_id_across_batches_is_kept_apart(tmp_path, store_path):
    rows = "".join(f"E{n},2022-03-01,Battles,{n / 1000:.3f},30,row {n}\n" for n in range(1, 8))
    rows += "E2,2022-03-02,Battles,0.002,30,row 2 revised\n"  # a repeat, in a later batch
    path = write(tmp_path, "acled.csv", "event_id_cnty,event_date,event_type,latitude,longitude,notes\n" + rows)
    report = import_file(path, SQLiteStore(store_path), ImportOptions(batch_rows=3))
    assert (report.added, report.updated, report.repeated) == (8, 0, 1)
    assert [str(p) for p in report.repeats] == [
        "line 9: its id E2 is also an earlier row's, with other values: kept as an event of its own"]
    again = import_file(path, SQLiteStore(store_path), ImportOptions(batch_rows=3))
    assert (again.added, again.updated, again.unchanged) == (0, 0, 8)


def test_acled_ucdp_and_gdelt_ids_stay_global(tmp_path, store_path):
    """The datasets that define their ids as global: the same event from two files is one."""
    run_import(store_path, str(write(tmp_path, "one.csv", ACLED_2020)))
    result = run_import(store_path, str(write(tmp_path, "two.csv", ACLED_2020)))
    assert "0 imported, 0 updated, 2 unchanged" in result.stdout


def test_a_store_keyed_the_old_way_keeps_its_geojson_events(tmp_path, store_path):
    """Keys written before issue 21 (geojson:1) are moved to the file's (geojson@a.geojson:1)."""
    import sqlite3

    path = write(tmp_path, "a.geojson", _features((1, 30.0, "A1")))
    run_import(store_path, str(path))
    with sqlite3.connect(store_path) as conn:
        conn.execute("UPDATE imported_keys SET key = 'geojson:1'")
    assert "0 imported, 0 updated, 1 unchanged" in run_import(store_path, str(path)).stdout
    with sqlite3.connect(store_path) as conn:
        assert [r[0] for r in conn.execute("SELECT key FROM imported_keys")] == ["geojson@a.geojson:1"]


def test_our_export_with_formula_like_cells_imports_as_it_was(tmp_path, store_path):
    """Issue 21, 4: the CSV export prefixes formula-like cells with ' ; importing it back removes it."""
    from geo.events.record import Event
    from geo.export import export_bytes

    event = Event(id=1, event_type="Battles", notes='=HYPERLINK("http://x","y")', actor1="+cmd|' /C calc'!A0",
                  location="@SUM(1+1)", date_start="2022-03-01", date_end="2022-03-01", time_precision="day",
                  latitude=50.0, longitude=30.0, geometry={"type": "Point", "coordinates": [30.0, 50.0]},
                  location_reason="imported")  # fmt: skip
    data = export_bytes([event], "csv")
    assert b"'=HYPERLINK" in data
    run_import(store_path, str(write(tmp_path, "export.csv", data)))
    (back,) = stored(store_path)
    assert (back.notes, back.actor1, back.location) == (event.notes, event.actor1, event.location)


@pytest.mark.parametrize("toll", ["99999999999999999999", "1e308", "1000000001"])
def test_an_impossible_death_toll_is_one_bad_row(tmp_path, store_path, toll):
    """Issue 21, 5: it raised OverflowError into SQLite, lost the batch and stopped the command."""
    rows = f"E1,2022-03-01,Battles,50,30,{toll}\nE2,2022-03-01,Battles,50.1,30,3\n"
    path = write(tmp_path, "a.csv", "event_id_cnty,event_date,event_type,latitude,longitude,fatalities\n" + rows)
    later = write(tmp_path, "b.csv", ACLED_2020)
    result = run_import(store_path, str(path), str(later))
    assert "1 imported, 0 updated, 0 unchanged or duplicate, 1 bad" in result.stdout
    assert errors(result) == [f"Error: {path}, line 2: the count {toll!r} is not a plausible number of deaths "
                              "(at most 1,000,000,000)"]  # fmt: skip
    assert "2 imported" in result.stdout.splitlines()[1]  # the next file still goes in
    assert [e.fatalities for e in stored(store_path)][:1] == [3]


def test_deeply_nested_json_is_one_error_and_the_next_file_goes_in(tmp_path, store_path):
    """Issue 21, 8: an uncaught RecursionError stopped the remaining files."""
    deep = write(tmp_path, "deep.geojson", '{"type": "FeatureCollection", "features": ' + "[" * 100_000 + "]" * 100_000 + "}")
    later = write(tmp_path, "b.csv", ACLED_2020)
    result = run_import(store_path, str(deep), str(later))
    assert errors(result) == [f"Error: {deep} is nested too deeply to be GeoJSON (thousands of [ or {{ levels)."]
    assert "2 imported" in result.stdout and result.exit_code == 1


def test_a_polygon_across_the_antimeridian_is_placed_in_it(tmp_path, store_path):
    """Issue 21, 7: Fiji's 179..-179 was taken as 358° wide and placed in the Gulf of Guinea."""
    fiji = {"type": "Polygon", "coordinates": [[[179, -17], [-179, -17], [-179, -16], [179, -16], [179, -17]]]}
    path = write(tmp_path, "fiji.geojson", json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": fiji, "properties": {"date": "2022-03-01", "notes": "Fiji"}}]}))  # fmt: skip
    run_import(store_path, str(path))
    (event,) = stored(store_path)
    assert abs(event.longitude) >= 179 and -17 <= event.latitude <= -16
    assert event.geometry == fiji  # the shape itself is kept as given


def test_a_full_disk_mid_import_says_what_was_kept_and_how_to_finish(tmp_path, store_path):
    """Issue 21, 9: nothing was lost, but the message did not say a re-run finishes the job."""
    from geo.errors import StoreError

    rows = "".join(f"E{n},2022-03-01,Battles,{n / 1000:.3f},30\n" for n in range(1, 8))
    path = write(tmp_path, "acled.csv", "event_id_cnty,event_date,event_type,latitude,longitude\n" + rows)
    store = SQLiteStore(store_path)
    real, calls = store.add_imported_rows, []

    def full_after_two(batch):
        calls.append(len(batch))
        if len(calls) > 2:
            raise StoreError(f"The event store {store_path} could not be read or written: database or disk is full.")
        return real(batch)

    store.add_imported_rows = full_after_two
    with pytest.raises(StoreError, match=r"disk is full\. \S*acled\.csv: 6 rows were kept before this; running the "
                                         r"same import again finishes it\."):  # fmt: skip
        import_file(path, store, ImportOptions(batch_rows=3))
    store.add_imported_rows = real
    again = import_file(path, store, ImportOptions(batch_rows=3))
    assert (again.added, again.unchanged) == (1, 6)
