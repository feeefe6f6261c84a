import asyncio, httpx, os, time
from sqlalchemy import event
from api.app import create_app
from api.settings import Settings
from bench.common import PASSWORD
from bench.list_vs_raw import QUERY
from store.engine import make_engine
URL = os.environ["URL"]
async def main():
    s = Settings(token_secret="bench-secret-"+"x"*40, rate_limit_per_minute=int(os.environ.get("RL","0")))
    eng = make_engine(URL)
    stm=[]
    event.listen(eng.sync_engine, "before_cursor_execute", lambda *a: stm.append(a[2][:90].replace("\n"," ")))
    app = create_app(s, engine=eng, policy_from_database=False)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as http:
        body = (await http.post("/graphql", json={"query": "mutation($u: String!, $p: String!) { login(input: {username: $u, password: $p}) { token } }", "variables": {"u": "bench.audit", "p": PASSWORD}})).json()
        token = body["data"]["login"]["token"]
        h = {"Authorization": f"Bearer {token}"}
        for q in (QUERY, "{ __typename }"):
            p = {"query": q, "variables": {"n": 50}}
            for _ in range(5): await http.post("/graphql", json=p, headers=h)
            stm.clear()
            t=time.perf_counter()
            for _ in range(50): r = await http.post("/graphql", json=p, headers=h)
            print(q[:20], "per request ms", (time.perf_counter()-t)/50*1000, r.status_code, "statements/request", len(stm)/50)
        for x in stm[:3]: print(x)
        p = {"query": QUERY, "variables": {"n": 50}}; stm.clear(); await http.post("/graphql", json=p, headers=h)
        for x in stm: print(x)
    await eng.dispose()
asyncio.run(main())
