from reviewkit.cli.main import app

app(prog_name="reviewkit")
