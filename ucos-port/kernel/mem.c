/*
 * Compatible kernel (independent implementation, see ucos_ii.h): fixed-size memory
 * partitions. The free blocks of a partition are chained through their first word.
 */
#include "os_kernel.h"

#if (OS_MEM_EN > 0u) && (OS_MAX_MEM_PART > 0u)

void osk_mem_init(void)
{
    OSMemFreeList = (OS_MEM *)0;
    for (INT16U i = OS_MAX_MEM_PART; i-- > 0u;) {
        OS_MemClr((INT8U *)&OSMemTbl[i], (INT16U)sizeof OSMemTbl[i]);
#if OS_MEM_NAME_EN > 0u
        OSMemTbl[i].OSMemName = (INT8U *)(void *)"?";
#endif
        OSMemTbl[i].OSMemFreeList = OSMemFreeList;
        OSMemFreeList = &OSMemTbl[i];
    }
}

OS_MEM *OSMemCreate(void *addr, INT32U nblks, INT32U blksize, INT8U *perr)
{
    OSK_CRITICAL_STATE;
#if OS_ARG_CHK_EN > 0u
    if (addr == (void *)0 || ((INT32U)addr & (sizeof(void *) - 1u)) != 0u) {
        *perr = OS_ERR_MEM_INVALID_ADDR;
        return (OS_MEM *)0;
    }
    if (nblks < 2u) {
        *perr = OS_ERR_MEM_INVALID_BLKS;
        return (OS_MEM *)0;
    }
    if (blksize < sizeof(void *) || (blksize & (sizeof(void *) - 1u)) != 0u) {
        *perr = OS_ERR_MEM_INVALID_SIZE;
        return (OS_MEM *)0;
    }
#endif
    OSK_ENTER();
    OS_MEM *m = OSMemFreeList;
    if (m != (OS_MEM *)0)
        OSMemFreeList = (OS_MEM *)m->OSMemFreeList;
    OSK_EXIT();
    if (m == (OS_MEM *)0) {
        *perr = OS_ERR_MEM_INVALID_PART;
        return m;
    }
    /* Chain the blocks in address order, the last one ending the list. */
    INT8U *blk = (INT8U *)addr;
    for (INT32U i = 0u; i + 1u < nblks; i++, blk += blksize)
        *(void **)blk = blk + blksize;
    *(void **)blk = (void *)0;
    m->OSMemAddr = addr;
    m->OSMemFreeList = addr;
    m->OSMemNFree = nblks;
    m->OSMemNBlks = nblks;
    m->OSMemBlkSize = blksize;
    *perr = OS_ERR_NONE;
    return m;
}

void *OSMemGet(OS_MEM *pmem, INT8U *perr)
{
    OSK_CRITICAL_STATE;
#if OS_ARG_CHK_EN > 0u
    if (pmem == (OS_MEM *)0) {
        *perr = OS_ERR_MEM_INVALID_PMEM;
        return (void *)0;
    }
#endif
    OSK_ENTER();
    void *blk = pmem->OSMemFreeList;
    if (pmem->OSMemNFree == 0u || blk == (void *)0) {
        OSK_EXIT();
        *perr = OS_ERR_MEM_NO_FREE_BLKS;
        return (void *)0;
    }
    pmem->OSMemFreeList = *(void **)blk;
    pmem->OSMemNFree--;
    OSK_EXIT();
    *perr = OS_ERR_NONE;
    return blk;
}

INT8U OSMemPut(OS_MEM *pmem, void *pblk)
{
    OSK_CRITICAL_STATE;
#if OS_ARG_CHK_EN > 0u
    if (pmem == (OS_MEM *)0)
        return OS_ERR_MEM_INVALID_PMEM;
    if (pblk == (void *)0)
        return OS_ERR_MEM_INVALID_PBLK;
#endif
    OSK_ENTER();
    if (pmem->OSMemNFree >= pmem->OSMemNBlks) {
        OSK_EXIT();
        return OS_ERR_MEM_FULL;
    }
    *(void **)pblk = pmem->OSMemFreeList;
    pmem->OSMemFreeList = pblk;
    pmem->OSMemNFree++;
    OSK_EXIT();
    return OS_ERR_NONE;
}

#if OS_MEM_QUERY_EN > 0u
INT8U OSMemQuery(OS_MEM *pmem, OS_MEM_DATA *p_mem_data)
{
    OSK_CRITICAL_STATE;
#if OS_ARG_CHK_EN > 0u
    if (pmem == (OS_MEM *)0)
        return OS_ERR_MEM_INVALID_PMEM;
    if (p_mem_data == (OS_MEM_DATA *)0)
        return OS_ERR_MEM_INVALID_PDATA;
#endif
    OSK_ENTER();
    p_mem_data->OSAddr = pmem->OSMemAddr;
    p_mem_data->OSFreeList = pmem->OSMemFreeList;
    p_mem_data->OSBlkSize = pmem->OSMemBlkSize;
    p_mem_data->OSNBlks = pmem->OSMemNBlks;
    p_mem_data->OSNFree = pmem->OSMemNFree;
    OSK_EXIT();
    p_mem_data->OSNUsed = p_mem_data->OSNBlks - p_mem_data->OSNFree;
    return OS_ERR_NONE;
}
#endif

#if OS_MEM_NAME_EN > 0u
INT8U OSMemNameGet(OS_MEM *pmem, INT8U **pname, INT8U *perr)
{
    OSK_CRITICAL_STATE;
#if OS_ARG_CHK_EN > 0u
    if (pmem == (OS_MEM *)0) {
        *perr = OS_ERR_MEM_INVALID_PMEM;
        return 0u;
    }
    if (pname == (INT8U **)0) {
        *perr = OS_ERR_PNAME_NULL;
        return 0u;
    }
#endif
    if (OSIntNesting > 0u) {
        *perr = OS_ERR_NAME_GET_ISR;
        return 0u;
    }
    OSK_ENTER();
    *pname = pmem->OSMemName;
    const INT8U len = osk_strlen(*pname);
    OSK_EXIT();
    *perr = OS_ERR_NONE;
    return len;
}

void OSMemNameSet(OS_MEM *pmem, INT8U *pname, INT8U *perr)
{
    OSK_CRITICAL_STATE;
#if OS_ARG_CHK_EN > 0u
    if (pmem == (OS_MEM *)0) {
        *perr = OS_ERR_MEM_INVALID_PMEM;
        return;
    }
    if (pname == (INT8U *)0) {
        *perr = OS_ERR_PNAME_NULL;
        return;
    }
#endif
    if (OSIntNesting > 0u) {
        *perr = OS_ERR_NAME_SET_ISR;
        return;
    }
    OSK_ENTER();
    pmem->OSMemName = pname;
    OSK_EXIT();
    *perr = OS_ERR_NONE;
}
#endif

#endif /* OS_MEM_EN */
