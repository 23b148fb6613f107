using BrowserDigits;
using Microsoft.AspNetCore.Components.WebAssembly.Hosting;

// One page, no router: the demo is the root component.
var builder = WebAssemblyHostBuilder.CreateDefault(args);
builder.RootComponents.Add<DigitsPage>("#app");
await builder.Build().RunAsync();
