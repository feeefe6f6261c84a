import asyncio, cProfile, pstats, httpx, os, time
from api.app import create_app
from api.settings import Settings
from bench.common import PASSWORD
from store.engine import make_engine
URL = os.environ["URL"]
async def main():
    s = Settings(token_secret="bench-secret-"+"x"*40, rate_limit_per_minute=0)
    eng = make_engine(URL)
    app = create_app(s, engine=eng, policy_from_database=False)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as http:
        body = (await http.post("/graphql", json={"query": "mutation($u: String!, $p: String!) { login(input: {username: $u, password: $p}) { token } }", "variables": {"u": "bench.audit", "p": PASSWORD}})).json()
        h = {"Authorization": f"Bearer {body['data']['login']['token']}"}
        p = {"query": "{ __typename }"}
        for _ in range(5): await http.post("/graphql", json=p, headers=h)
        pr = cProfile.Profile(); pr.enable()
        for _ in range(100): r = await http.post("/graphql", json=p, headers=h)
        pr.disable()
        st = pstats.Stats(pr); st.sort_stats("cumulative").print_stats("work/main/(api|store|authz)", 25)
        st.sort_stats("tottime").print_stats(15)
    await eng.dispose()
asyncio.run(main())
