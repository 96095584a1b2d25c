// Sorting (natural: chr2 before chr10, numbers as numbers), the variant filter with its
// "n of N shown" count and "no match" line. Every bigmed page shares this script.
const collator=new Intl.Collator(undefined,{numeric:true,sensitivity:'base'});
const NUM=/^-?[\d,]*\.?\d+(e-?\d+)?%?$/i;
function cellKey(td){return td?(td.dataset.sort??td.innerText.trim()):''}
function compareKeys(x,y){
  if(x===''||y==='')return x===y?0:(x===''?1:-1);
  if(NUM.test(x)&&NUM.test(y))return parseFloat(x.replace(/,/g,''))-parseFloat(y.replace(/,/g,''));
  return collator.compare(x,y);}
function sortTable(th){
  const t=th.closest('table'),i=[...th.parentNode.children].indexOf(th),b=t.tBodies[0];
  const asc=th.dataset.sorted!=='asc';
  th.parentNode.querySelectorAll('th').forEach(h=>delete h.dataset.sorted);th.dataset.sorted=asc?'asc':'desc';
  const rows=[...b.rows];rows.sort((a,c)=>{const k=compareKeys(cellKey(a.cells[i]),cellKey(c.cells[i]));return asc?k:-k;});
  rows.forEach(r=>b.appendChild(r));}
function filterTable(input,id){
  const q=input.value.toLowerCase(),pass=document.getElementById('passonly'),rows=document.getElementById(id).tBodies[0].rows;
  let shown=0;
  for(const r of rows){const ok=r.innerText.toLowerCase().includes(q)&&(!pass||!pass.checked||r.dataset.filter==='PASS');
    r.style.display=ok?'':'none';if(ok)shown++;}
  const n=document.getElementById('vcount');if(n)n.textContent=shown+' of '+rows.length+' shown';
  const none=document.getElementById('vnomatch');if(none)none.hidden=shown>0;}
document.addEventListener('DOMContentLoaded',()=>{
  document.querySelectorAll('thead th').forEach(th=>{th.title='sort';th.addEventListener('click',()=>sortTable(th));});
  const f=document.getElementById('vfilter');
  if(f){const run=()=>filterTable(f,'variant-table');f.addEventListener('input',run);
    document.getElementById('passonly').addEventListener('change',run);run();}});
